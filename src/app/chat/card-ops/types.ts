import type { ActionRef } from '../../../domain/cards/action-ref';
import type { Incident } from '../../../domain/incidents/incident';
import type { Turn } from '../core-context';
import type { ActionInput, ChatResponse } from '../ports';

/** A button press, decoded: what it says, the incident it names (which exists), and its input. */
export interface CardClick {
  ref: ActionRef;
  incident: Incident | null;
  extra: ActionInput;
}

/** What one card operation (`ActionRef.op`) does. */
export type CardOpHandler = (click: CardClick, turn: Turn) => Promise<ChatResponse>;
