/**
 * The skills, in one list: the engine asks them in this order (after commands and flows
 * in progress, before the knowledge answer) and the LLM mode offers each as a tool.
 * Adding a skill is a line here (see skill.ts for the rest of the recipe).
 */
import type { Skill } from "./skill.ts";
import { feeSkill } from "./fee/index.ts";
import { loanSkill } from "./loan/index.ts";
import { depositSkill } from "./deposit/index.ts";
import { officeSkill } from "./office/index.ts";
import { scamSkill } from "./scam/index.ts";
import { documentSkill } from "./document/index.ts";

export const SKILLS: readonly Skill[] = [feeSkill, loanSkill, depositSkill, officeSkill, scamSkill, documentSkill];
