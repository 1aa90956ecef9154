import { ChangeDetectionStrategy, Component, input, signal } from '@angular/core';

type Level = 'info' | 'success' | 'warning';

/**
 * Publishes a notification by hand through demo-server's HTTP API, the way any
 * backend would: POST /api/topics/:topic/events.
 */
@Component({
  selector: 'app-publish-form',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <form class="card form" (submit)="publish($event)" aria-labelledby="publish-title">
      <h2 id="publish-title">Publish a notification</h2>
      <label class="field">Title
        <input name="title" required maxlength="80" [value]="title()" (input)="title.set(value($event))" />
      </label>
      <label class="field">Text
        <input name="text" required maxlength="300" [value]="text()" (input)="text.set(value($event))" />
      </label>
      <label class="field">Level
        <select name="level" (change)="level.set(value($event))">
          <option value="info">info</option>
          <option value="success">success</option>
          <option value="warning">warning</option>
        </select>
      </label>
      <button class="button" type="submit" [disabled]="busy() || !title().trim() || !text().trim()">Publish</button>
      <p class="result" role="status">{{ result() }}</p>
    </form>
  `,
  styles: `
    .form { display: grid; gap: 0.75rem; align-content: start; }
    h2 { font-size: 1rem; margin: 0; }
    .result { margin: 0; min-height: 1.2em; color: var(--rt-color-muted); font-size: 0.85rem; }
  `,
})
export class PublishForm {
  /** The topic to publish to. */
  readonly topic = input('notifications');

  protected readonly title = signal('Hello');
  protected readonly text = signal('Published from the demo page.');
  protected readonly level = signal<string>('info');
  protected readonly busy = signal(false);
  protected readonly result = signal('');

  protected value(event: Event): string {
    return (event.target as HTMLInputElement | HTMLSelectElement).value;
  }

  protected async publish(event: Event): Promise<void> {
    event.preventDefault();
    this.busy.set(true);
    try {
      const response = await fetch(`/api/topics/${encodeURIComponent(this.topic())}/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          type: 'notification',
          data: { title: this.title().trim(), text: this.text().trim(), level: this.level() as Level },
        }),
      });
      const body = (await response.json()) as { id?: string; error?: { message: string } };
      this.result.set(response.ok ? `Published as ${body.id}` : `Not published: ${body.error?.message ?? response.status}`);
    } catch {
      this.result.set('Not published: the server cannot be reached');
    } finally {
      this.busy.set(false);
    }
  }
}
