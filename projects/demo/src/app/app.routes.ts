import { Routes } from '@angular/router';

export const routes: Routes = [
  { path: '', pathMatch: 'full', redirectTo: 'notifications' },
  {
    path: 'notifications',
    title: 'Notifications · ngx-realtime-signals demo',
    loadComponent: () => import('./notifications/notifications-page').then((m) => m.NotificationsPage),
  },
  {
    path: 'chat',
    title: 'Chat · ngx-realtime-signals demo',
    loadComponent: () => import('./chat/chat-page').then((m) => m.ChatPage),
  },
  {
    path: 'orders',
    title: 'Order tracking · ngx-realtime-signals demo',
    loadComponent: () => import('./orders/orders-page').then((m) => m.OrdersPage),
  },
  { path: '**', redirectTo: 'notifications' },
];
