import type { BroadcastView } from '@obrol/client';
import { useErrorHeadline, useLocaleFormat } from '@obrol/ui/app';
import { useI18n } from 'vue-i18n';

type Params = Record<string, string | number>;

/** The variant of a reason worded in more than one way, by its values (`TEMPLATE_STATUS.PAUSED`), or '' for a single text. */
function variantOf(code: string, params: Params): string {
  switch (code) {
    case 'TEMPLATE_STATUS':
      return params['status'] === 'DISABLED' ? '.DISABLED' : '.PAUSED';
    case 'HEADER_UPLOAD_FAILED':
      return params['problem'] === 'missing' ? '.missing' : params['problem'] === 'unsupported' ? '.unsupported' : '.refused';
    case 'PAUSED_RESTRICTED':
      return params['until'] === undefined ? '.noEnd' : '.until';
    case 'RESUMED_AFTER_RESTRICTION':
      return params['end'] === 'expired' ? '.expired' : '.lifted';
    default:
      return '';
  }
}

/**
 * Why a broadcast is paused, cancelled, waiting or resumed by itself, in the reader's words by
 * the code the server states it with (an auto-pause on an error is worded by that error's code);
 * the server's English sentence only when it gave no code the app knows.
 */
export function useBroadcastReason(): (b: Pick<BroadcastView, 'reason' | 'reasonCode' | 'reasonParams'>) => string {
  const { t, te, n } = useI18n();
  const errorHeadline = useErrorHeadline();
  const format = useLocaleFormat();
  return ({ reason, reasonCode, reasonParams }) => {
    const params: Params = { ...reasonParams };
    // The text itself, not its group: `te` knows only texts, so a group (TEMPLATE_STATUS) read as unknown.
    const key = reasonCode ? `broadcastReason.${reasonCode}${variantOf(reasonCode, params)}` : null;
    if (!key || !te(key)) return reason ?? '';
    if (params['actor'] !== undefined) params['actor'] = t(`broadcastReason.actor.${params['actor'] === 'agent' ? 'agent' : 'api'}`);
    if (params['error'] !== undefined) params['error'] = errorHeadline(String(params['error']));
    if (typeof params['limit'] === 'number') params['limit'] = n(params['limit']);
    if (params['until'] !== undefined) params['until'] = format.date(String(params['until']), { dateStyle: 'medium', timeStyle: 'short' });
    return t(key, params);
  };
}
