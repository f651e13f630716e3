/**
 * Blazor's page-side text for calls into a host that is gone (its circuit manager's), which page
 * code written for Blazor may match; every hosting model puts what happened after it.
 */
export const PAGE_CIRCUIT_GONE = 'The circuit associated with this dispatcher is no longer available.';
