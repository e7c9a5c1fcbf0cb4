import type { RecipientReason } from '@obrol/client';
import { useI18n } from 'vue-i18n';

/**
 * A recipient's reason in the reader's words, by the code the server states it with; the server's
 * English sentence only when it gave no code (a failure is worded by its error code instead).
 */
export function useRecipientReason(): (r: RecipientReason) => string {
  const { t, te } = useI18n();
  return ({ reason, reasonCode, reasonParams }) => {
    if (!reasonCode || !te(`recipientReason.${reasonCode}`)) return reason ?? '';
    const params: Record<string, string | number> = { ...reasonParams };
    const part = String(params['part'] ?? '');
    if (part) params['where'] = t(`recipientReason.part.${part}`, { name: params['name'] ?? '' });
    if (params['column'] !== undefined) params['source'] = t('recipientReason.source.column', { column: params['column'] });
    else if (params['field'] !== undefined) params['source'] = t('recipientReason.source.field', { field: params['field'] });
    else params['source'] = t('recipientReason.source.constant');
    if (params['media'] !== undefined) params['media'] = t(`upload.kind.${params['media']}`);
    return t(`recipientReason.${reasonCode}`, params);
  };
}
