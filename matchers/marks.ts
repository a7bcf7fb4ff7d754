// Identification marks as (body part, mark) pairs: "mole on left cheek; burn scar right hand" →
// cheek:mole, hand:burn. English and the common Hindi words; what isn't recognised is left out.

const parts: [RegExp, string][] = [
  [/cheek|gaal|गाल/, 'cheek'], [/forehead|mathe|माथ/, 'forehead'], [/chin|thodi|ठोड़ी|ठुड्डी/, 'chin'], [/nose|naak|नाक/, 'nose'],
  [/lip|honth|होंठ|ओंठ/, 'lip'], [/eye|aankh|आँख|आंख/, 'eye'], [/ear|kaan|कान/, 'ear'], [/neck|gardan|गर्दन/, 'neck'],
  [/face|chehra|चेहर/, 'face'], [/chest|chhati|छाती/, 'chest'], [/back|peeth|पीठ/, 'back'], [/stomach|belly|pet\b|पेट/, 'stomach'],
  [/shoulder|kandha|कंध/, 'shoulder'], [/finger|ungli|उंगली|उँगली/, 'finger'], [/hand|palm|haath|हाथ/, 'hand'], [/arm|baazu|बाज़ू|बांह/, 'arm'],
  [/knee|ghutna|घुटन/, 'knee'], [/foot|feet|pair|पैर/, 'foot'], [/leg|taang|टांग/, 'leg'], [/head|sir\b|सिर/, 'head'], [/thigh|jangh|जांघ/, 'thigh'],
];
const marks: [RegExp, string][] = [
  [/mole|til\b|तिल|masa|massa|मस्सा/, 'mole'], [/burn|jala|जला|जले/, 'burn'], [/birth ?mark|janm|जन्म/, 'birthmark'],
  [/tattoo|godna|गोदना|गुदना/, 'tattoo'], [/wart/, 'wart'], [/white patch|safed|सफेद|सफ़ेद/, 'patch'], [/spot|dhabba|धब्बा/, 'spot'],
  [/cut|kata|कटा|चोट/, 'cut'], [/scar|stitch|taanke|tanke|टांके|daag|dag\b|दाग|निशान|nishan/, 'scar'],
  [/missing|extra|six/, 'deformity'],
];

export function parseMarks(text: string | null | undefined): string[] {
  if (!text) return [];
  const found = new Set<string>();
  for (const phrase of text.toLowerCase().split(/[;,\n]|\band\b|\bऔर\b/)) {
    const part = parts.find(([pattern]) => pattern.test(phrase))?.[1];
    const mark = marks.find(([pattern]) => pattern.test(phrase))?.[1];
    if (part && mark) found.add(`${part}:${mark}`);
  }
  return [...found].sort();
}
