import { ChangeDetectionStrategy, Component, computed, inject } from '@angular/core';
import { RtLiveFeed } from 'ngx-realtime-signals/ui';
import { DemoConnections } from '../shell/demo-connections';
import { orderBoard, orderLine } from './order-progress';

/** Order tracking over long polling: a board of where each order stands and the raw feed. */
@Component({
  selector: 'app-orders-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [RtLiveFeed],
  template: `
    <h1>Order tracking</h1>
    <p class="page-intro">
      <code>LongPollService.watch('orders')</code> holds one request open until the server has news, then asks again from
      its cursor. Works through proxies that break streaming; resumes without gaps after a reconnect.
    </p>
    <div class="layout">
      <section aria-labelledby="board-title">
        <h2 id="board-title">Orders</h2>
        @if (board().length === 0) {
          <p class="empty">No orders yet.</p>
        } @else {
          <table class="board">
            <thead><tr><th scope="col">Order</th><th scope="col">Item</th><th scope="col">Status</th><th scope="col">Progress</th></tr></thead>
            <tbody>
              @for (row of board(); track row.orderId) {
                <tr [attr.data-order-id]="row.orderId">
                  <th scope="row">{{ row.orderId }}</th>
                  <td>{{ row.item }}</td>
                  <td>{{ row.step }}</td>
                  <td>
                    <progress [value]="row.done" [max]="row.steps" [attr.aria-label]="row.orderId + ' progress'"></progress>
                    <span class="steps">{{ row.done }}/{{ row.steps }}</span>
                  </td>
                </tr>
              }
            </tbody>
          </table>
        }
      </section>
      <section aria-labelledby="feed-title">
        <h2 id="feed-title">Feed <span class="count">{{ feed.events().length }} events</span></h2>
        <rt-live-feed class="order-feed" label="Order events" [source]="feed" [format]="line" [limit]="1000" />
      </section>
    </div>
  `,
  styles: `
    .layout { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: 1.5rem; align-items: start; }
    @media (max-width: 56rem) { .layout { grid-template-columns: 1fr; } }
    h2 { font-size: 1rem; margin: 0 0 0.5rem; }
    .count, .empty, .steps { color: var(--rt-color-muted); font-weight: 400; }
    .board { width: 100%; border-collapse: collapse; font-size: 0.9rem; }
    .board th, .board td { text-align: left; padding: 0.4rem 0.5rem; border-bottom: 1px solid var(--rt-color-border); }
    .board thead th { color: var(--rt-color-muted); font-weight: 600; }
    progress { width: 6rem; vertical-align: middle; accent-color: var(--rt-color-accent); }
    .steps { margin-left: 0.4rem; font-size: 0.8rem; }
  `,
})
export class OrdersPage {
  protected readonly feed = inject(DemoConnections).orders;
  protected readonly board = computed(() => orderBoard(this.feed.events()));
  protected readonly line = orderLine;
}
