import type { CreatePoll, PollView, QuestionStatus, QuestionView } from '@nomades/shared';
import type { SignalingClient } from './SignalingClient';
import { TypedEmitter } from './TypedEmitter';

export interface PollSnapshot {
  /** The room's polls as the server shows them to us, oldest first. */
  polls: readonly PollView[];
  /** The room's questions as the server shows them to us, oldest first. */
  questions: readonly QuestionView[];
  /** The first state of this participation arrived (what was there before is not news). */
  loaded: boolean;
}

/**
 * Polls and questions (POLL-n, QUESTION-n in docs/spec/polls.md): the room's state as the server
 * shows it to us (asked once per join with `pollsState`, then kept current by `pollUpdated`,
 * `pollRemoved`, `questionUpdated`, `questionRemoved`), and the requests. A store of its own
 * (getSnapshot, subscribe). Requests reject with a ClientError; no sentences: the UI words them.
 */
export class PollState extends TypedEmitter<{ change: [] }> {
  private snapshot: PollSnapshot = { polls: [], questions: [], loaded: false };
  private closed = false;
  private readonly unsubscribe: Array<() => void>;

  constructor(private readonly signaling: SignalingClient) {
    super();
    this.unsubscribe = [
      signaling.on('pollUpdated', ({ poll }) => this.upsertPoll(poll)),
      signaling.on('pollRemoved', ({ pollId }) => this.set({ polls: this.snapshot.polls.filter((p) => p.id !== pollId) })),
      signaling.on('questionUpdated', ({ question }) => this.upsertQuestion(question)),
      signaling.on('questionRemoved', ({ questionId }) => this.set({ questions: this.snapshot.questions.filter((q) => q.id !== questionId) })),
    ];
  }

  readonly getSnapshot = (): PollSnapshot => this.snapshot;
  readonly subscribe = (listener: () => void): (() => void) => this.on('change', listener);

  /** After a join: the whole state (POLL-8). A failure leaves the last one (the next join asks again). */
  async refresh(): Promise<void> {
    const state = await this.signaling.request('pollsState', {});
    this.set({ polls: state.polls, questions: state.questions, loaded: true });
  }

  async createPoll(poll: CreatePoll): Promise<string> {
    return (await this.signaling.request('createPoll', poll)).pollId;
  }

  async setPollStatus(pollId: string, status: 'open' | 'closed'): Promise<void> {
    await this.signaling.request('setPollStatus', { pollId, status });
  }

  async deletePoll(pollId: string): Promise<void> {
    await this.signaling.request('deletePoll', { pollId });
  }

  /** Our vote (or a changed one); shown as ours at once, the results follow from the server. */
  async vote(pollId: string, choices: number[]): Promise<void> {
    await this.signaling.request('vote', { pollId, choices });
    this.set({ polls: this.snapshot.polls.map((p) => (p.id === pollId ? { ...p, mine: [...choices].sort((a, b) => a - b) } : p)) });
  }

  async ask(text: string): Promise<void> {
    await this.signaling.request('askQuestion', { text });
  }

  async upvote(questionId: string, up: boolean): Promise<void> {
    await this.signaling.request('upvoteQuestion', { questionId, up });
  }

  async setQuestionStatus(questionId: string, status: QuestionStatus): Promise<void> {
    await this.signaling.request('setQuestionStatus', { questionId, status });
  }

  async allowToSpeak(questionId: string): Promise<void> {
    await this.signaling.request('allowToSpeak', { questionId });
  }

  close(): void {
    this.closed = true;
    for (const off of this.unsubscribe) off();
    this.removeAllListeners();
  }

  private upsertPoll(poll: PollView): void {
    const polls = this.snapshot.polls.some((p) => p.id === poll.id)
      ? this.snapshot.polls.map((p) => (p.id === poll.id ? poll : p))
      : [...this.snapshot.polls, poll];
    this.set({ polls });
  }

  private upsertQuestion(question: QuestionView): void {
    const questions = this.snapshot.questions.some((q) => q.id === question.id)
      ? this.snapshot.questions.map((q) => (q.id === question.id ? question : q))
      : [...this.snapshot.questions, question];
    this.set({ questions });
  }

  private set(change: Partial<PollSnapshot>): void {
    if (this.closed) return;
    this.snapshot = { ...this.snapshot, ...change };
    this.emit('change');
  }
}
