// Languages as ISO 639-1 codes (639-3 where there is none), from codes, English names or the
// languages' own names; and the languages each state's people speak (fixtures/gazetteer).
import stateLanguagesJson from '../fixtures/gazetteer/state-languages.json' with { type: 'json' };

const names: Record<string, string> = {
  hindi: 'hi', हिंदी: 'hi', हिन्दी: 'hi', bengali: 'bn', bangla: 'bn', বাংলা: 'bn', odia: 'or', oriya: 'or', ଓଡ଼ିଆ: 'or',
  punjabi: 'pa', ਪੰਜਾਬੀ: 'pa', gujarati: 'gu', ગુજરાતી: 'gu', marathi: 'mr', मराठी: 'mr', tamil: 'ta', தமிழ்: 'ta', telugu: 'te',
  తెలుగు: 'te', kannada: 'kn', ಕನ್ನಡ: 'kn', malayalam: 'ml', മലയാളം: 'ml', urdu: 'ur', اردو: 'ur', assamese: 'as', অসমীয়া: 'as',
  nepali: 'ne', नेपाली: 'ne', bhojpuri: 'bho', maithili: 'mai', santali: 'sat', khortha: 'hi', magahi: 'mag', english: 'en',
  kashmiri: 'ks', konkani: 'kok', sindhi: 'sd', manipuri: 'mni', meitei: 'mni', rajasthani: 'raj', haryanvi: 'hi',
  dogri: 'doi', bodo: 'brx', khasi: 'kha', garo: 'grt', mizo: 'lus', tulu: 'tcy', gondi: 'gon', bhili: 'bhb', kokborok: 'trp',
  chhattisgarhi: 'hne', garhwali: 'gbm', kumaoni: 'kfy', ladakhi: 'bo', tibetan: 'bo',
};

export function normaliseLanguages(languages: readonly string[] | null | undefined): string[] {
  return [...new Set((languages ?? []).map((language) => {
    const key = language.trim().toLowerCase();
    return names[key] ?? (/^[a-z]{2,3}$/.test(key) ? key : key);
  }).filter(Boolean))].sort();
}

const stateLanguages: Readonly<Record<string, readonly string[]>> = stateLanguagesJson.states;

/**
 * Which of `languages` the people of a state speak (state codes as the gazetteer gives them):
 * 'regional' when one besides Hindi is, 'hindi' when Hindi alone is, 'none' when none is, and null
 * for a state the table does not know.
 */
export function spokenInState(languages: readonly string[], stateCode: string): 'regional' | 'hindi' | 'none' | null {
  const spoken = stateLanguages[stateCode];
  if (!spoken) return null;
  const shared = languages.filter((language) => spoken.includes(language));
  return shared.some((language) => language !== 'hi') ? 'regional' : shared.length ? 'hindi' : 'none';
}

/** The languages besides Hindi the people of a state speak. */
export const regionalLanguages = (stateCode: string): string[] => (stateLanguages[stateCode] ?? []).filter((language) => language !== 'hi');
