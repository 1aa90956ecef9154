export type { ChatMessage } from './chat-message';
export type { ChatRoom } from './chat-room';
export { ChatService } from './chat.service';
