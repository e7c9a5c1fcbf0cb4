import type { BroadcastView } from '@obrol/client';
import { useErrorHeadline } from '@obrol/ui/app';
import { useI18n } from 'vue-i18n';

/**
 * Why a broadcast is paused, cancelled or waiting, in the reader's words by the code the server
 * states it with (an auto-pause on an error is worded by that error's code); the server's English
 * sentence only when it gave no code the app knows.
 */
export function useBroadcastReason(): (b: Pick<BroadcastView, 'reason' | 'reasonCode' | 'reasonParams'>) => string {
  const { t, te, n } = useI18n();
  const errorHeadline = useErrorHeadline();
  return ({ reason, reasonCode, reasonParams }) => {
    if (!reasonCode || !te(`broadcastReason.${reasonCode}`)) return reason ?? '';
    const params: Record<string, string | number> = { ...reasonParams };
    if (params['actor'] !== undefined) params['actor'] = t(`broadcastReason.actor.${params['actor'] === 'agent' ? 'agent' : 'api'}`);
    if (params['error'] !== undefined) params['error'] = errorHeadline(String(params['error']));
    if (typeof params['limit'] === 'number') params['limit'] = n(params['limit']);
    if (reasonCode === 'TEMPLATE_STATUS') return t(`broadcastReason.TEMPLATE_STATUS.${params['status'] === 'DISABLED' ? 'DISABLED' : 'PAUSED'}`, params);
    if (reasonCode === 'HEADER_UPLOAD_FAILED') return t(`broadcastReason.HEADER_UPLOAD_FAILED.${params['problem'] === 'missing' ? 'missing' : params['problem'] === 'unsupported' ? 'unsupported' : 'refused'}`);
    return t(`broadcastReason.${reasonCode}`, params);
  };
}
