import { Component, type ErrorInfo, type ReactNode } from 'react';
import { Translation } from 'react-i18next';

interface Props {
  /** What failed, for the message and the console. */
  what: 'page' | 'whiteboard' | 'chat' | 'panel';
  children: ReactNode;
  /** Replaces the default notice. */
  fallback?: ReactNode;
}

interface State {
  error: Error | null;
}

/**
 * Keeps a render error inside the part that threw: a panel that cannot render shows a notice
 * with a retry button instead of unmounting the whole app (and the meeting with it).
 */
export class ErrorBoundary extends Component<Props, State> {
  override state: State = { error: null };

  static getDerivedStateFromError(error: Error): State {
    return { error };
  }

  override componentDidCatch(error: Error, info: ErrorInfo): void {
    console.error(`[${this.props.what}] render failed`, error, info.componentStack);
  }

  override render(): ReactNode {
    if (!this.state.error) return this.props.children;
    if (this.props.fallback !== undefined) return this.props.fallback;
    return (
      <Translation>
        {(t) => (
          <section className="hint error-boundary" role="alert" data-testid="error-boundary">
            <p>{t(`boundary.${this.props.what}`)}</p>
            <button type="button" onClick={() => this.setState({ error: null })}>
              {t('boundary.retry')}
            </button>
          </section>
        )}
      </Translation>
    );
  }
}
