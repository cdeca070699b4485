import type { ViewOutput } from '@slack/bolt';

type StateValue = { value?: string | null; selected_user?: string | null; selected_option?: { value: string } | null; selected_options?: { value: string }[] };

/** Reads a modal's inputs (all use action_id "value"), trimmed; empty strings become undefined. */
export function inputValue(view: ViewOutput, blockId: string): string | undefined {
  const v = (view.state.values[blockId]?.value ?? undefined) as StateValue | undefined;
  const raw = v?.value ?? v?.selected_user ?? v?.selected_option?.value ?? undefined;
  const s = raw?.trim();
  return s ? s : undefined;
}

export function selectedValues(view: ViewOutput, blockId: string): string[] {
  const v = (view.state.values[blockId]?.value ?? undefined) as StateValue | undefined;
  return (v?.selected_options ?? []).map((o) => o.value);
}

export function metadata<T extends Record<string, unknown>>(view: { private_metadata?: string }): Partial<T> {
  try {
    return JSON.parse(view.private_metadata || '{}') as Partial<T>;
  } catch {
    return {};
  }
}
