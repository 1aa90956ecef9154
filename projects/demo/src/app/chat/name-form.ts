import { ChangeDetectionStrategy, Component, computed, output, signal } from '@angular/core';

/** The same rule demo-server applies to `?name=`: letters, digits, space, `_ . -`, 1..32 characters. */
const NAME_PATTERN = /^[A-Za-z0-9_.-](?:[A-Za-z0-9 _.-]{0,30}[A-Za-z0-9_.-])?$/;

/** Asks for a display name before the chat connects. */
@Component({
  selector: 'app-name-form',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <form class="card form" (submit)="submit($event)" aria-labelledby="name-title">
      <h2 id="name-title">Pick a name</h2>
      <label class="field">Your name
        <input name="name" autocomplete="nickname" maxlength="32" [value]="name()" (input)="onInput($event)"
               [attr.aria-invalid]="name() !== '' && !valid()" aria-describedby="name-hint" />
      </label>
      <p id="name-hint" class="hint">1 to 32 letters, digits, spaces, dots, dashes or underscores.</p>
      <button class="button" type="submit" [disabled]="!valid()">Join the chat</button>
    </form>
  `,
  styles: `
    .form { display: grid; gap: 0.75rem; max-width: 22rem; }
    h2 { font-size: 1rem; margin: 0; }
    .hint { margin: 0; font-size: 0.8rem; color: var(--rt-color-muted); }
  `,
})
export class NameForm {
  readonly chosen = output<string>();

  protected readonly name = signal('');
  protected readonly valid = computed(() => NAME_PATTERN.test(this.name().trim()));

  protected onInput(event: Event): void {
    this.name.set((event.target as HTMLInputElement).value);
  }

  protected submit(event: Event): void {
    event.preventDefault();
    if (this.valid()) this.chosen.emit(this.name().trim());
  }
}
