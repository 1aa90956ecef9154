import { ChangeDetectionStrategy, Component, computed, input, output, signal } from '@angular/core';

const SUGGESTED_ROOMS = ['general', 'random', 'support'];
const ROOM_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

/** The joined rooms as a list to switch between, suggested rooms, and a field to join any room. */
@Component({
  selector: 'app-room-picker',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <nav class="rooms" aria-label="Rooms">
      <h2>Rooms</h2>
      <ul>
        @for (room of shown(); track room) {
          <li [class.joined]="rooms().includes(room)">
            <button type="button" class="room" [attr.aria-current]="room === current() ? 'true' : null"
                    (click)="pick.emit(room)">#{{ room }}</button>
            @if (rooms().includes(room)) {
              <button type="button" class="leave" [attr.aria-label]="'Leave #' + room" (click)="leave.emit(room)">×</button>
            }
          </li>
        }
      </ul>
      <form class="join" (submit)="join($event)">
        <label class="field">Join a room
          <input name="room" maxlength="63" placeholder="room name" [value]="draft()" (input)="onInput($event)" />
        </label>
        <button class="button secondary" type="submit" [disabled]="!valid()">Join</button>
      </form>
    </nav>
  `,
  styles: `
    h2 { font-size: 1rem; margin: 0 0 0.5rem; }
    ul { list-style: none; margin: 0 0 1rem; padding: 0; display: grid; gap: 0.2rem; }
    li { display: flex; align-items: center; }
    button { font: inherit; cursor: pointer; border: 0; background: none; color: inherit; }
    .room { flex: 1; text-align: left; padding: 0.3rem 0.5rem; border-radius: var(--rt-radius); color: var(--rt-color-muted); }
    .joined .room { color: inherit; }
    .room[aria-current='true'] { background: var(--rt-color-accent); color: var(--rt-color-on-accent); }
    .leave { padding: 0 0.4rem; color: var(--rt-color-muted); }
    .join { display: grid; gap: 0.5rem; }
    .join input { width: 100%; box-sizing: border-box; min-width: 0; }
    .join .button { border: 1px solid var(--rt-color-accent); color: var(--rt-color-accent); }
  `,
})
export class RoomPicker {
  /** Rooms joined now. */
  readonly rooms = input.required<readonly string[]>();
  readonly current = input<string | null>(null);
  readonly pick = output<string>();
  readonly leave = output<string>();

  protected readonly draft = signal('');
  protected readonly valid = computed(() => ROOM_PATTERN.test(this.draft().trim()));
  protected readonly shown = computed(() => [...new Set([...this.rooms(), ...SUGGESTED_ROOMS])]);

  protected onInput(event: Event): void {
    this.draft.set((event.target as HTMLInputElement).value);
  }

  protected join(event: Event): void {
    event.preventDefault();
    if (!this.valid()) return;
    this.pick.emit(this.draft().trim());
    this.draft.set('');
  }
}
