import './sharing.css';
import type { Role } from '@nomades/shared';
import { useTranslation } from 'react-i18next';
import { CopyInviteButton } from './CopyInviteButton';
import { RecordingsIcon } from './icons';
import { useRoomInfo } from './usePublicRoomInfo';

interface Props {
  roomId: string;
  token: string;
  /** The participant's live role. */
  role: Role;
  recordingsOpen: boolean;
  onToggleRecordings: () => void;
}

/**
 * The room header's sharing controls: the invitation link for those who may invite (INV-7: hosts,
 * and participants where the room allows it) and the recordings panel's button for the roles that
 * may watch them (REC-V1; hosts when the room told nothing).
 */
export function SharingControls({ roomId, token, role, recordingsOpen, onToggleRecordings }: Props) {
  const { t } = useTranslation('sharing');
  const info = useRoomInfo();
  const mayInvite = role === 'host' || (role === 'participant' && info?.participantsMayInvite === true);
  const viewers = info?.recordingViewers ?? ['host'];
  return (
    <div className="sharing-controls">
      {mayInvite && <CopyInviteButton roomId={roomId} token={token} />}
      {viewers.includes(role) && (
        <button
          type="button"
          className={recordingsOpen ? 'control small on' : 'control small'}
          data-testid="toggle-recordings"
          aria-pressed={recordingsOpen}
          aria-label={t('recordings.toggle')}
          title={t('recordings.toggle')}
          onClick={onToggleRecordings}
        >
          <RecordingsIcon size={18} />
          <span aria-hidden="true">{t('recordings.toggleShort')}</span>
        </button>
      )}
    </div>
  );
}
