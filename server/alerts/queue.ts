/**
 * A bounded push queue read as an async iterator, for subscriptions: `return()` (the client
 * unsubscribed or hung up) ends it at once, even while a reader waits, and runs `onClose` (which
 * removes the listener feeding it). A reader slower than the gateway's blocks is cut off with an
 * error once `max` items wait, rather than holding an ever longer queue.
 */
export interface Queue<T> extends AsyncIterableIterator<T> {
  push(item: T): void;
  fail(err: Error): void;
}

export function createQueue<T>(max: number, onClose: () => void): Queue<T> {
  const items: T[] = [];
  const waiting: ((r: IteratorResult<T>) => void)[] = [];
  const rejecting: ((err: Error) => void)[] = [];
  let done = false;
  let error: Error | null = null;
  const close = () => {
    if (done) return;
    done = true;
    onClose();
  };
  const finish = () => {
    close();
    while (waiting.length) waiting.shift()!({ value: undefined, done: true });
    rejecting.length = 0;
  };
  const queue: Queue<T> = {
    push(item) {
      if (done) return;
      const reader = waiting.shift();
      if (reader) {
        rejecting.shift();
        reader({ value: item, done: false });
        return;
      }
      items.push(item);
      if (items.length > max) queue.fail(new Error(`the subscriber fell ${max} events behind: subscription closed (resubscribe and read faster)`));
    },
    fail(err) {
      if (done) return;
      error = err;
      items.length = 0;
      close();
      while (rejecting.length) {
        waiting.shift();
        rejecting.shift()!(err);
      }
    },
    next() {
      if (items.length) return Promise.resolve({ value: items.shift()!, done: false });
      if (error) return Promise.reject(error);
      if (done) return Promise.resolve({ value: undefined, done: true });
      return new Promise((resolve, reject) => {
        waiting.push(resolve);
        rejecting.push(reject);
      });
    },
    return() {
      items.length = 0;
      finish();
      return Promise.resolve({ value: undefined, done: true });
    },
    throw(err) {
      finish();
      return Promise.reject(err);
    },
    [Symbol.asyncIterator]() {
      return queue;
    },
  };
  return queue;
}
