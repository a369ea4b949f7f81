/**
 * The web chat's wording (`web:` in prompts/channels.yaml): what the page shows and the
 * API's error messages. The page gets its strings from the server (page.ts), so none of
 * them is written in code.
 *
 * @example
 * channelTexts(kb).web.errors.not_found; // "Không có trang này."
 */
import { z } from "zod";
import { template } from "../../knowledge/texts.ts";

export const webTextsSchema = z.object({
  page: z.object({
    /** The browser tab's title and the page heading. */
    title: template,
    subtitle: template,
    /** The text box's label (read by screen readers) and its example. */
    input_label: template,
    input_placeholder: template,
    send_button: template,
    /** Before our own summary of a law, when a citation is opened. */
    summary_prefix: template,
    passage_failed: template,
    /** A failed request without a message from the server. */
    request_failed: template,
    /** The network is down. */
    offline: template,
    /** A returning visitor whose saved conversation has expired. The first visit gets the greeting (replies.yaml). */
    welcome_back: template,
  }),
  errors: z.object({
    /** Over the body limit (413). */
    too_large: template,
    not_json: template,
    /** Under the body limit but over the longest message read (413). */
    too_long: template,
    bad_session: template,
    no_message: template,
    /** GET /api/passage without doc or locator. */
    passage_query: template,
    passage_missing: template,
    not_found: template,
  }),
});
