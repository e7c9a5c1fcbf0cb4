import type { TemplateProblem } from '@obrol/client';
import { useI18n } from 'vue-i18n';

/**
 * A template problem in the admin's language, by its stable rule id (`lint.<rule>`) with the
 * values the linter gave; the linter's English sentence for a rule the app does not know.
 */
export function useProblemText() {
  const { t, te } = useI18n();
  return (problem: TemplateProblem): string => {
    const key = `lint.${problem.rule}`;
    return te(key) ? t(key, problem.params ?? {}) : problem.message;
  };
}
