import './sharing.css';
import type { PublicRoomInfo, Role } from '@nomades/shared';
import { useTranslation } from 'react-i18next';
import { RecordDotIcon } from './icons';

/**
 * REC-V4: before joining a room that records, what is recorded (what the recorder captures:
 * voices, cameras, shared screens and their sound; not the board nor the chat), who may watch it,
 * and for how long; and how long chat messages are kept (CHAT_RETENTION_DAYS, RET-2) when set.
 * Nothing for a room that does not record.
 */
export function RecordingNotice({ notice, chatRetentionDays = null }: { notice: PublicRoomInfo['recordingNotice']; chatRetentionDays?: number | null }) {
  const { t, i18n } = useTranslation('sharing');
  if (!notice) return null;
  const roleWords = (role: Role): string =>
    role === 'host' ? t('roles.host') : role === 'participant' ? t('roles.participant') : t('roles.attendee');
  const roles = new Intl.ListFormat(i18n.language, { style: 'long', type: 'conjunction' }).format(notice.viewers.map(roleWords));
  return (
    <section className="notice recording-notice" data-testid="recording-notice" aria-labelledby="recording-notice-title">
      <h2 id="recording-notice-title">
        <RecordDotIcon />
        {t('notice.title')}
      </h2>
      <ul>
        <li data-testid="recording-notice-what">{t('notice.what')}</li>
        <li data-testid="recording-notice-who">{notice.viewers.length > 0 ? t('notice.who', { roles }) : t('notice.whoAdminsOnly')}</li>
        <li data-testid="recording-notice-kept">
          {notice.retentionDays !== null ? t('notice.kept', { count: notice.retentionDays }) : t('notice.keptUntilDeleted')}
        </li>
        {chatRetentionDays !== null && <li data-testid="recording-notice-chat">{t('notice.chatKept', { count: chatRetentionDays })}</li>}
      </ul>
      <p>{t('notice.mediaOff')}</p>
    </section>
  );
}
