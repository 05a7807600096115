/**
 * The recording worker (BullMQ + ffmpeg) lives here: it will take recording jobs from Redis,
 * pull a flagged room's streams from the SFU over PlainTransport and write them with ffmpeg.
 * Nothing is recorded yet; see the recording issue.
 */
export {};
