// `account`: a balance with deposit, withdraw and balance. An overdraft is an error result.

import { handler, parse, state } from '../../../sdk-guest/js/granary.js';

let balance = 0;

export function activate() {
  balance = state.load({ balance: 0 }).balance ?? 0;
}

function positive(payload) {
  const { amount } = parse(payload, { amount: 'integer' });
  if (amount <= 0) throw `amount must be positive, got ${amount}`;
  return amount;
}

function commit(next) {
  if (!Number.isSafeInteger(next)) throw 'balance would overflow';
  state.save({ balance: next });
  balance = next;
  return { balance };
}

export const handle = handler({
  deposit(payload) {
    return commit(balance + positive(payload));
  },

  withdraw(payload) {
    const amount = positive(payload);
    if (amount > balance) throw `insufficient funds: balance ${balance}, requested ${amount}`;
    return commit(balance - amount);
  },

  balance() {
    return { balance };
  },
});

export function deactivate() {}

export { noReminders as receiveReminder, noEvents as receiveEvent } from '../../../sdk-guest/js/granary.js';
