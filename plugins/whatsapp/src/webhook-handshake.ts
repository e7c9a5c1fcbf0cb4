import { timingSafeEqual } from 'node:crypto';
import { err, ok, type ChannelError, type Result, type WebhookReply, type WebhookRequest } from '@obrol/contracts';

/**
 * Meta's GET verification: `hub.mode=subscribe` and a `hub.verify_token` equal to ours are
 * answered with 200 and the raw `hub.challenge` as text/plain; anything else is refused.
 */
export function answerVerificationHandshake(req: WebhookRequest, verifyToken: string): Result<WebhookReply, ChannelError> {
  const mode = req.query['hub.mode'];
  const token = req.query['hub.verify_token'];
  const challenge = req.query['hub.challenge'];
  if (mode === 'subscribe' && token !== undefined && sameText(token, verifyToken) && challenge) {
    return ok({ status: 200, body: challenge, contentType: 'text/plain' });
  }
  return err({
    code: 'WEBHOOK_VERIFY_FAILED',
    message:
      mode !== 'subscribe'
        ? 'The webhook verification request is not a subscribe request.'
        : !challenge
          ? 'The webhook verification request has no hub.challenge.'
          : 'The verify token does not match the one in the channel settings.',
    retryable: false,
  });
}

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
