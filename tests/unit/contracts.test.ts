import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { INTERNAL_RECORDING_ROUTES, INTERNAL_RECORDINGS_PATH, fillPath, recordingLayout } from '@nomades/shared';
import { apiRegistry, openApiPath } from '@nomades/shared/openapi';

/**
 * The contracts defined once in shared/ (issue #13): the recording file layout builds paths only
 * from recording ids, the internal routes fill their parameters encoded, and the OpenAPI registry
 * lists the internal routes as the server mounts them.
 */
const contracts = suite('contracts in shared/');

contracts('recordingLayout: the folder, manifest and composed file of a recording, from its id only', () => {
  const id = 'rec_abcdefgh1234';
  assert.is(recordingLayout.dir('/srv/rec/', id), `/srv/rec/${id}`);
  assert.is(recordingLayout.manifest('/srv/rec', id), `/srv/rec/${id}/manifest.json`);
  assert.is(recordingLayout.composed('/srv/rec', id), `/srv/rec/${id}/${id}.mp4`);
  assert.is(recordingLayout.composedPartial('/srv/rec', id), `/srv/rec/${id}/${id}.mp4.part.mp4`);
  for (const bad of ['../etc', 'rec_../../x', 'rec_short', '', 'rec_abcdefgh/..']) {
    assert.throws(() => recordingLayout.dir('/srv/rec', bad), undefined, bad);
  }
});

contracts('internal routes: parameters encoded, a missing one refused', () => {
  assert.is(fillPath(INTERNAL_RECORDING_ROUTES.resumeTap.path, { id: 'rec_abcdefgh1234', producerId: 'a/b?c' }), '/rec_abcdefgh1234/taps/a%2Fb%3Fc/resume');
  assert.throws(() => fillPath(INTERNAL_RECORDING_ROUTES.closeTap.path, { id: 'rec_abcdefgh1234' }), /producerId/);
});

contracts('the OpenAPI registry has every internal route, under the mount path, with the recorder key', () => {
  const registered = apiRegistry().routes().filter((r) => r.path.startsWith(INTERNAL_RECORDINGS_PATH));
  const expected = Object.values(INTERNAL_RECORDING_ROUTES).map((r) => `${r.method} ${INTERNAL_RECORDINGS_PATH}${r.path}`);
  assert.equal(registered.map((r) => `${r.method} ${r.path}`).sort(), expected.sort());
  assert.ok(registered.every((r) => r.auth === 'recorder'));
  assert.is(openApiPath('/internal/recordings/:id/taps/:producerId'), '/internal/recordings/{id}/taps/{producerId}');
});

contracts.run();
