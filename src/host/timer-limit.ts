/**
 * The longest delay `setTimeout` and `setInterval` honour, in ms (2^31 − 1, about 24.8 days).
 * A longer one overflows: Node fires it after 1 ms (with a TimeoutOverflowWarning), browsers at
 * once. So a deadline further away than this is waited for in steps, and a period longer than
 * this is refused.
 */
export const MAX_TIMER_DELAY = 2 ** 31 - 1;
