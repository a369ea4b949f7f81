/**
 * The kinds of charge the fee check tells apart: the tool's interface, and the keys of
 * their names (prompts/skills/fee.yaml `charges`) and words (knowledge/vocabulary/fee.yaml).
 */
export const CHARGE_KINDS = [
  "service_fee", "brokerage", "deposit", "training", "health_check", "visa_passport", "airfare", "selection_fee", "package", "other",
] as const;
export type ChargeKind = (typeof CHARGE_KINDS)[number];
