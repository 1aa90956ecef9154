import { typingText } from './typing-text';

describe('typingText', () => {
  it('says nothing when nobody types', () => expect(typingText([])).toBe(''));
  it('names one typist', () => expect(typingText(['ann'])).toBe('ann is typing…'));
  it('names two typists', () => expect(typingText(['ann', 'bo'])).toBe('ann and bo are typing…'));
  it('names two and counts one other', () => expect(typingText(['ann', 'bo', 'cy'])).toBe('ann, bo and 1 other are typing…'));
  it('names two and counts the others', () => expect(typingText(['a', 'b', 'c', 'd'])).toBe('a, b and 2 others are typing…'));
});
