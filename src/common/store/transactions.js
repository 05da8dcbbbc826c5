// The IndexedDB transactions this page has open, so that they can be ended before WebKit
// freezes the page in its back-forward cache (store::let_go_before_freezing). rexie does not
// hand out the transactions it makes, so they are noted where every one is made.
const open = new Set();

export function noteTransactions() {
  const proto = IDBDatabase.prototype;
  if (proto.ywtNoted) return;
  const transaction = proto.transaction;
  proto.transaction = function (...args) {
    const tx = transaction.apply(this, args);
    open.add(tx);
    const ended = () => open.delete(tx);
    tx.addEventListener("complete", ended);
    tx.addEventListener("abort", ended);
    return tx;
  };
  Object.defineProperty(proto, "ywtNoted", { value: true });
}

// Aborts every transaction still open; answers how many. A transaction that cannot be
// aborted any more (it is finishing) is left to finish.
export function abortOpenTransactions() {
  let aborted = 0;
  for (const tx of open) {
    try {
      tx.abort();
      aborted += 1;
    } catch {
      // already committing or done
    }
  }
  open.clear();
  return aborted;
}
