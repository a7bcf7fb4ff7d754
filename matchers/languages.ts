// Languages as ISO 639-1 codes, from codes, English names or the languages' own names.
const names: Record<string, string> = {
  hindi: 'hi', हिंदी: 'hi', हिन्दी: 'hi', bengali: 'bn', bangla: 'bn', বাংলা: 'bn', odia: 'or', oriya: 'or', ଓଡ଼ିଆ: 'or',
  punjabi: 'pa', ਪੰਜਾਬੀ: 'pa', gujarati: 'gu', ગુજરાતી: 'gu', marathi: 'mr', मराठी: 'mr', tamil: 'ta', தமிழ்: 'ta', telugu: 'te',
  తెలుగు: 'te', kannada: 'kn', ಕನ್ನಡ: 'kn', malayalam: 'ml', മലയാളം: 'ml', urdu: 'ur', اردو: 'ur', assamese: 'as', অসমীয়া: 'as',
  nepali: 'ne', नेपाली: 'ne', bhojpuri: 'bho', maithili: 'mai', santali: 'sat', khortha: 'hi', magahi: 'mag', english: 'en',
  kashmiri: 'ks', konkani: 'kok', sindhi: 'sd', manipuri: 'mni', meitei: 'mni', rajasthani: 'raj', haryanvi: 'hi',
};

export function normaliseLanguages(languages: readonly string[] | null | undefined): string[] {
  return [...new Set((languages ?? []).map((language) => {
    const key = language.trim().toLowerCase();
    return names[key] ?? (/^[a-z]{2,3}$/.test(key) ? key : key);
  }).filter(Boolean))].sort();
}
