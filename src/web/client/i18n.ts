// The interface in English and Hindi. Names of children and parents are never translated: they are
// shown in the script they were given in, with a transliteration beside where one exists.
const en = {
  appName: 'milap', signIn: 'Sign in', signOut: 'Sign out', username: 'Username', password: 'Password',
  signInFailed: 'Wrong username or password, or the account is locked.', language: 'हिन्दी',
  queue: 'Candidate queue', dashboard: 'Dashboard', fileReport: 'File a missing report', registerChild: 'Register a found child',
  restorations: 'Restorations', users: 'Users', reports: 'Missing reports', children: 'Found children',
  probability: 'Probability', missingChild: 'Missing child', foundChild: 'Found child', state: 'State', pending: 'Pending',
  confirmed: 'Confirmed', rejected: 'Rejected', onHold: 'On hold', superseded: 'Superseded', all: 'All',
  minProbability: 'Minimum probability', filter: 'Filter', noCandidates: 'No candidate pairs here.', open: 'Open',
  compare: 'Compare', name: 'Name', aliases: 'Other names', sex: 'Sex', age: 'Age', born: 'Born between', missingSince: 'Missing since',
  foundOn: 'Found on', lastSeen: 'Last seen', home: 'Home', foundAt: 'Found at', statedHome: 'Says home is', father: 'Father', mother: 'Mother',
  marks: 'Identification marks', languages: 'Languages', photos: 'Photos', distance: 'Distance', explanation: 'Why this score',
  confirm: 'Confirm match', reject: 'Reject', hold: 'Hold', reason: 'Reason (required)', decided: 'Decision recorded.',
  shortcuts: 'Keys: c confirm · r reject · h hold · j/k next/previous pair', ref: 'Reference', save: 'Save', saved: 'Saved.',
  policeStation: 'Police station', institution: 'Institution', district: 'District', place: 'Place', apparentAge: 'Apparent age (years)',
  ageYears: 'Age when missing (years)', description: 'Description', phone: 'Family phone', addPhoto: 'Add a photo',
  stage: 'Stage', overdue: 'Overdue', next: 'Move to', note: 'Note', due: 'Next visit due', advance: 'Record step',
  filed: 'Reports filed', found: 'Children found', restored: 'Restored', daysToRestore: 'Median days to restore',
  longInCare: 'In care > 90 days, no candidate', role: 'Role', scope: 'Jurisdiction', addUser: 'Add user', disable: 'Disable',
  male: 'male', female: 'female', other: 'other', unknown: 'unknown', required: 'required', back: 'Back to the queue',
  since: 'From', until: 'To', errorTitle: 'Something went wrong', byState: 'By state',
};
export type Key = keyof typeof en;

const hi: Record<Key, string> = {
  appName: 'मिलाप', signIn: 'साइन इन', signOut: 'साइन आउट', username: 'उपयोगकर्ता नाम', password: 'पासवर्ड',
  signInFailed: 'गलत उपयोगकर्ता नाम या पासवर्ड, या खाता बंद है।', language: 'English',
  queue: 'संभावित मिलान', dashboard: 'डैशबोर्ड', fileReport: 'गुमशुदगी रिपोर्ट दर्ज करें', registerChild: 'मिले बच्चे का पंजीकरण',
  restorations: 'पुनर्वास', users: 'उपयोगकर्ता', reports: 'गुमशुदगी रिपोर्ट', children: 'मिले बच्चे',
  probability: 'संभावना', missingChild: 'गुमशुदा बच्चा', foundChild: 'मिला बच्चा', state: 'स्थिति', pending: 'लंबित',
  confirmed: 'पुष्ट', rejected: 'अस्वीकृत', onHold: 'रोका गया', superseded: 'प्रतिस्थापित', all: 'सभी',
  minProbability: 'न्यूनतम संभावना', filter: 'छाँटें', noCandidates: 'यहाँ कोई संभावित मिलान नहीं।', open: 'खोलें',
  compare: 'तुलना', name: 'नाम', aliases: 'अन्य नाम', sex: 'लिंग', age: 'आयु', born: 'जन्म के बीच', missingSince: 'कब से गुमशुदा',
  foundOn: 'मिलने की तिथि', lastSeen: 'अंतिम बार देखा', home: 'घर', foundAt: 'कहाँ मिला', statedHome: 'बताया गया घर', father: 'पिता', mother: 'माता',
  marks: 'पहचान चिह्न', languages: 'भाषाएँ', photos: 'फ़ोटो', distance: 'दूरी', explanation: 'यह अंक क्यों',
  confirm: 'मिलान पुष्ट करें', reject: 'अस्वीकार', hold: 'रोकें', reason: 'कारण (आवश्यक)', decided: 'निर्णय दर्ज हुआ।',
  shortcuts: 'कुंजियाँ: c पुष्ट · r अस्वीकार · h रोकें · j/k अगला/पिछला', ref: 'संदर्भ', save: 'सहेजें', saved: 'सहेजा गया।',
  policeStation: 'थाना', institution: 'संस्था', district: 'ज़िला', place: 'स्थान', apparentAge: 'अनुमानित आयु (वर्ष)',
  ageYears: 'गुम होने पर आयु (वर्ष)', description: 'विवरण', phone: 'परिवार का फ़ोन', addPhoto: 'फ़ोटो जोड़ें',
  stage: 'चरण', overdue: 'विलंबित', next: 'अगला चरण', note: 'टिप्पणी', due: 'अगली भेंट', advance: 'चरण दर्ज करें',
  filed: 'दर्ज रिपोर्ट', found: 'मिले बच्चे', restored: 'घर पहुँचे', daysToRestore: 'घर पहुँचने के मध्य दिन',
  longInCare: '90 दिन से अधिक देखभाल में, कोई मिलान नहीं', role: 'भूमिका', scope: 'क्षेत्राधिकार', addUser: 'उपयोगकर्ता जोड़ें', disable: 'निष्क्रिय करें',
  male: 'बालक', female: 'बालिका', other: 'अन्य', unknown: 'अज्ञात', required: 'आवश्यक', back: 'सूची पर लौटें',
  since: 'से', until: 'तक', errorTitle: 'कुछ गलत हुआ', byState: 'राज्यवार',
};

let language: 'en' | 'hi' = (localStorage.getItem('milap-language') as 'en' | 'hi' | null) ?? 'en';

export const t = (key: Key): string => (language === 'hi' ? hi[key] : en[key]);
export const currentLanguage = () => language;

export function toggleLanguage(): void {
  language = language === 'en' ? 'hi' : 'en';
  localStorage.setItem('milap-language', language);
  document.documentElement.lang = language;
}
