import type { ReactNode } from 'react';

/**
 * Small stroke icons (24×24, currentColor), inline SVG: no font glyph, so no missing-glyph box on a
 * system without emoji fonts. Decorative (aria-hidden): the buttons carry the labels.
 */
function Icon({ children, size = 20 }: { children: ReactNode; size?: number }) {
  return (
    <svg className="icon" viewBox="0 0 24 24" width={size} height={size} aria-hidden="true" focusable="false">
      <g fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" strokeLinejoin="round">
        {children}
      </g>
    </svg>
  );
}

interface IconProps {
  size?: number;
}

export function MicIcon({ off, size }: IconProps & { off?: boolean }) {
  return (
    <Icon size={size}>
      <rect x="9" y="2" width="6" height="12" rx="3" />
      <path d="M5 10a7 7 0 0 0 14 0M12 17v4M8 21h8" />
      {off && <path d="M3 3l18 18" />}
    </Icon>
  );
}

export function CameraIcon({ off, size }: IconProps & { off?: boolean }) {
  return (
    <Icon size={size}>
      <rect x="2" y="6" width="14" height="12" rx="2" />
      <path d="M16 10l6-3v10l-6-3" />
      {off && <path d="M3 3l18 18" />}
    </Icon>
  );
}

export function LeaveIcon({ size }: IconProps) {
  return (
    <Icon size={size}>
      <path d="M15 4h3a2 2 0 0 1 2 2v12a2 2 0 0 1-2 2h-3M10 16l-4-4 4-4M6 12h10" />
    </Icon>
  );
}

/** A monitor with an arrow going out of it (share); crossed when `off` (stop sharing). */
export function ScreenShareIcon({ off, size }: IconProps & { off?: boolean }) {
  return (
    <Icon size={size}>
      <rect x="2" y="4" width="20" height="13" rx="2" />
      <path d="M8 21h8M12 17v4" />
      {off ? <path d="M9 8l6 6M15 8l-6 6" /> : <path d="M12 14V8M9 10.5L12 7.5l3 3" />}
    </Icon>
  );
}

export function HandIcon({ size }: IconProps) {
  return (
    <Icon size={size}>
      <path d="M18 11V6a2 2 0 0 0-4 0v5" />
      <path d="M14 10V4a2 2 0 0 0-4 0v6" />
      <path d="M10 10.5V6a2 2 0 0 0-4 0v8" />
      <path d="M18 8a2 2 0 0 1 4 0v6a8 8 0 0 1-8 8h-2c-2.8 0-4.5-.9-6-2.4l-3.6-3.6a2 2 0 0 1 2.8-2.8L7 15" />
    </Icon>
  );
}

export function PeopleIcon({ size }: IconProps) {
  return (
    <Icon size={size}>
      <circle cx="9" cy="8" r="4" />
      <path d="M2 21v-1a6 6 0 0 1 6-6h2a6 6 0 0 1 6 6v1" />
      <path d="M16 3.1a4 4 0 0 1 0 7.8M22 21v-1a6 6 0 0 0-4-5.6" />
    </Icon>
  );
}

/** A whiteboard on its easel with a stroke on it. */
export function BoardIcon({ size }: IconProps) {
  return (
    <Icon size={size}>
      <rect x="3" y="3" width="18" height="13" rx="1.5" />
      <path d="M7 12l3-4 3 3 4-5M12 16v3M8 21l4-2 4 2" />
    </Icon>
  );
}

export function ChatIcon({ size }: IconProps) {
  return (
    <Icon size={size}>
      <path d="M21 15a2 2 0 0 1-2 2H8l-5 4V5a2 2 0 0 1 2-2h14a2 2 0 0 1 2 2z" />
      <path d="M8 8h8M8 12h5" />
    </Icon>
  );
}

export function SettingsIcon({ size }: IconProps) {
  return (
    <Icon size={size}>
      <circle cx="12" cy="12" r="3" />
      <path d="M19.4 15a1.7 1.7 0 0 0 .3 1.8l.1.1a2 2 0 1 1-2.8 2.8l-.1-.1a1.7 1.7 0 0 0-1.8-.3 1.7 1.7 0 0 0-1 1.5V21a2 2 0 1 1-4 0v-.1a1.7 1.7 0 0 0-1.1-1.5 1.7 1.7 0 0 0-1.8.3l-.1.1a2 2 0 1 1-2.8-2.8l.1-.1a1.7 1.7 0 0 0 .3-1.8 1.7 1.7 0 0 0-1.5-1H3a2 2 0 1 1 0-4h.1a1.7 1.7 0 0 0 1.5-1.1 1.7 1.7 0 0 0-.3-1.8l-.1-.1a2 2 0 1 1 2.8-2.8l.1.1a1.7 1.7 0 0 0 1.8.3H9a1.7 1.7 0 0 0 1-1.5V3a2 2 0 1 1 4 0v.1a1.7 1.7 0 0 0 1 1.5 1.7 1.7 0 0 0 1.8-.3l.1-.1a2 2 0 1 1 2.8 2.8l-.1.1a1.7 1.7 0 0 0-.3 1.8V9a1.7 1.7 0 0 0 1.5 1H21a2 2 0 1 1 0 4h-.1a1.7 1.7 0 0 0-1.5 1z" />
    </Icon>
  );
}

/** Reactions. */
export function SmileyIcon({ size }: IconProps) {
  return (
    <Icon size={size}>
      <circle cx="12" cy="12" r="10" />
      <path d="M8 14s1.5 2 4 2 4-2 4-2M9 9h.01M15 9h.01" />
    </Icon>
  );
}

/** Copy the meeting's link (invitation). */
export function LinkIcon({ size }: IconProps) {
  return (
    <Icon size={size}>
      <path d="M10 13a5 5 0 0 0 7.5.5l3-3a5 5 0 0 0-7-7l-1.7 1.7" />
      <path d="M14 11a5 5 0 0 0-7.5-.5l-3 3a5 5 0 0 0 7 7l1.7-1.7" />
    </Icon>
  );
}

export function CopyIcon({ size }: IconProps) {
  return (
    <Icon size={size}>
      <rect x="9" y="9" width="13" height="13" rx="2" />
      <path d="M5 15H4a2 2 0 0 1-2-2V4a2 2 0 0 1 2-2h9a2 2 0 0 1 2 2v1" />
    </Icon>
  );
}

/** The room's recordings: a film frame with a play mark. */
export function RecordingsIcon({ size }: IconProps) {
  return (
    <Icon size={size}>
      <rect x="2" y="4" width="20" height="16" rx="2" />
      <path d="M2 8h20M6 4v4M10 4v4M14 4v4M18 4v4M10 11.5v5l4.5-2.5z" />
    </Icon>
  );
}

/** Polls and questions: a bar chart. */
export function PollIcon({ size }: IconProps) {
  return (
    <Icon size={size}>
      <path d="M4 20h16M7 16V10M12 16V5M17 16v-4" />
    </Icon>
  );
}

/** "Recording in progress": a filled dot. */
export function RecordDotIcon({ size = 14 }: IconProps) {
  return (
    <svg className="icon" viewBox="0 0 24 24" width={size} height={size} aria-hidden="true" focusable="false">
      <circle cx="12" cy="12" r="8" fill="currentColor" />
    </svg>
  );
}

export function HelpIcon({ size }: IconProps) {
  return (
    <Icon size={size}>
      <circle cx="12" cy="12" r="10" />
      <path d="M9.1 9a3 3 0 0 1 5.8 1c0 2-3 3-3 3M12 17h.01" />
    </Icon>
  );
}

/** Switch between the front and the back camera (phones). */
export function CameraFlipIcon({ size }: IconProps) {
  return (
    <Icon size={size}>
      <path d="M4 8h3l2-3h6l2 3h3a1 1 0 0 1 1 1v10a1 1 0 0 1-1 1H4a1 1 0 0 1-1-1V9a1 1 0 0 1 1-1z" />
      <path d="M8.5 13a3.5 3.5 0 0 1 6.2-2.2M15.5 14a3.5 3.5 0 0 1-6.2 2.2M15 9v2h-2M9 18v-2h2" />
    </Icon>
  );
}

export function GridIcon({ size }: IconProps) {
  return (
    <Icon size={size}>
      <rect x="3" y="3" width="7" height="7" rx="1" />
      <rect x="14" y="3" width="7" height="7" rx="1" />
      <rect x="3" y="14" width="7" height="7" rx="1" />
      <rect x="14" y="14" width="7" height="7" rx="1" />
    </Icon>
  );
}

/** Speaker view: one large tile and a strip. */
export function SpeakerIcon({ size }: IconProps) {
  return (
    <Icon size={size}>
      <rect x="3" y="3" width="18" height="12" rx="1" />
      <path d="M3 19h4M10 19h4M17 19h4" />
    </Icon>
  );
}

export function CloseIcon({ size }: IconProps) {
  return (
    <Icon size={size}>
      <path d="M18 6L6 18M6 6l12 12" />
    </Icon>
  );
}

export function DownloadIcon({ size }: IconProps) {
  return (
    <Icon size={size}>
      <path d="M21 15v4a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2v-4M7 10l5 5 5-5M12 15V3" />
    </Icon>
  );
}

/** A loudspeaker (speaker output, "test my speaker"). */
export function VolumeIcon({ size }: IconProps) {
  return (
    <Icon size={size}>
      <path d="M11 5L6 9H2v6h4l5 4z" />
      <path d="M15.5 8.5a5 5 0 0 1 0 7M19 5a10 10 0 0 1 0 14" />
    </Icon>
  );
}

/** Connection quality bars, `level` 0 (bad) to 3 (good) filled. */
export function SignalIcon({ level, size = 16 }: IconProps & { level: number }) {
  return (
    <svg className="icon" viewBox="0 0 24 24" width={size} height={size} aria-hidden="true" focusable="false">
      {[0, 1, 2].map((i) => (
        <rect key={i} x={4 + i * 6} y={16 - i * 5} width="4" height={5 + i * 5} rx="1" fill="currentColor" opacity={i < level ? 1 : 0.3} />
      ))}
    </svg>
  );
}

/** "More" (an overflow menu). */
export function MoreIcon({ size }: IconProps) {
  return (
    <Icon size={size}>
      <circle cx="5" cy="12" r="1" />
      <circle cx="12" cy="12" r="1" />
      <circle cx="19" cy="12" r="1" />
    </Icon>
  );
}

/** Captions (CAP-8): a screen with two lines of text under it, told apart from the video's download. */
export function CaptionsIcon({ size }: IconProps) {
  return (
    <Icon size={size}>
      <rect x="2" y="4" width="20" height="16" rx="2" />
      <path d="M6 12h4M13 12h5M6 16h8M16 16h2" />
    </Icon>
  );
}
