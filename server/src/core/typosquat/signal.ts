// What the typosquat check reports: one signal per well-known name a package name resembles.

export type TyposquatKind = 'confusable' | 'separator_swap' | 'scope_confusion' | 'affix' | 'edit_distance';

interface SignalBase {
  /** The well-known name it resembles, as its list spells it. */
  readonly resembles: string;
  /** One line for a person: what differs. Printable ASCII: look-alikes appear as code points. */
  readonly evidence: string;
}

export type TyposquatSignal =
  | (SignalBase & { readonly kind: 'edit_distance'; readonly distance: number })
  | (SignalBase & { readonly kind: 'separator_swap' })
  | (SignalBase & { readonly kind: 'confusable' })
  | (SignalBase & { readonly kind: 'scope_confusion' })
  | (SignalBase & { readonly kind: 'affix'; readonly affix: string; readonly change: 'added' | 'dropped' | 'swapped' });

export const KIND_ORDER: readonly TyposquatKind[] = ['confusable', 'separator_swap', 'scope_confusion', 'affix', 'edit_distance'];

/** Records a signal against a well-known name (by id) unless a stronger one already claimed it. */
export type Claim = (id: number, signal: TyposquatSignal) => void;
