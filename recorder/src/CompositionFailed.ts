/** The composition failed on both plans (COMP-3): the reason is the recording's `error`. */
export class CompositionFailed extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CompositionFailed';
  }
}
