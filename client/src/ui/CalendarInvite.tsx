import { useState } from 'react';
import { AUTH_LIMITS } from '@nomades/shared';
import { useTranslation } from 'react-i18next';
import { calendarHref, localDateTimeValue, nextFullHour } from '../auth/authLinks';

/** OWN-7: the room's invitation as an iCalendar file (Outlook, Thunderbird), weekly when asked. */
export function CalendarInvite({ roomId }: { roomId: string }) {
  const { t } = useTranslation('auth');
  const [weekly, setWeekly] = useState(true);
  const [start, setStart] = useState(() => localDateTimeValue(nextFullHour(new Date())));
  const [duration, setDuration] = useState(60);
  const startDate = new Date(start);
  const valid = !Number.isNaN(startDate.getTime()) && duration >= 5 && duration <= AUTH_LIMITS.maxMeetingMinutes;
  return (
    <section className="calendar-invite" aria-labelledby="calendar-title">
      <h3 id="calendar-title">{t('calendar.title')}</h3>
      <label className="check">
        <input type="checkbox" data-testid="calendar-weekly" checked={weekly} onChange={(event) => setWeekly(event.target.checked)} />
        <span>{t('calendar.weekly')}</span>
      </label>
      <label className="field">
        <span>{t('calendar.start')}</span>
        <input type="datetime-local" data-testid="calendar-start" value={start} required onChange={(event) => setStart(event.target.value)} />
      </label>
      <label className="field">
        <span>{t('calendar.duration')}</span>
        <input
          type="number"
          data-testid="calendar-duration"
          min={5}
          max={AUTH_LIMITS.maxMeetingMinutes}
          step={5}
          value={duration}
          onChange={(event) => setDuration(Number(event.target.value))}
        />
      </label>
      {valid ? (
        <a className="button-link" data-testid="calendar-download" href={calendarHref(roomId, { weekly, start: startDate, durationMin: duration })} download={`${roomId}.ics`}>
          {t('calendar.download')}
        </a>
      ) : (
        <p className="hint">{t('calendar.invalid')}</p>
      )}
    </section>
  );
}
