// Names across scripts, spellings, initials, aliases, particles and pet names.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareNames, nameBlockingKeys, nameSkeletonKeys, prepareName } from '../../matchers/names/compare.ts';
import { jaroWinkler, jaroWinklerAtMost, partsCouldReach, withinOneEdit } from '../../matchers/names/similarity.ts';
import { blockingKeys } from '../../matchers/blocking.ts';
import { prepareMissing } from '../../matchers/prepare.ts';
import type { MissingReport } from '../../matchers/record.ts';
import { normaliseName } from '../../matchers/names/normalise.ts';
import { phoneticKey } from '../../matchers/names/phonetic.ts';
import { detectScript, toLatin } from '../../matchers/names/transliterate.ts';

describe('transliteration into clerks\' Latin', () => {
  it.each([
    ['रमेश', 'ramesh'], ['कमला', 'kamla'], ['लछमी', 'lachhmi'], ['लक्ष्मी', 'lakshmi'], ['राजकुमार', 'rajkumar'], ['अमरनाथ', 'amarnath'],
    ['प्रियंका', 'priyanka'], ['आदित्य', 'aditya'], ['ज़ैद', 'zaid'], ['রমেশ', 'ramesh'], ['মোহাম্মদ', 'mohammad'], ['যাদব', 'jadab'],
    ['ରମେଶ', 'ramesh'], ['ਰਮੇਸ਼', 'ramesh'], ['ਹਰਪ੍ਰੀਤ', 'harprit'], ['રમેશ', 'ramesh'], ['ரமேஷ்', 'ramesh'], ['முருகன்', 'murugan'],
    ['செந்தில்', 'senthil'], ['சக்திவேல்', 'sakthivel'], ['రమేష్', 'ramesh'], ['ರಮೇಶ್', 'ramesh'], ['രമേശ്', 'ramesh'], ['ലക്ഷ്മി', 'lakshmi'], ['محمد', 'mohammad'],
    ['मिश्र', 'mishra'], ['इंद्र', 'indra'], ['सिद्धार्थ', 'siddharth'], ['पार्थ', 'parth'],
  ])('%s → %s', (native, latin) => {
    expect(toLatin(native)).toBe(latin);
  });

  it.each([
    ['अमरेश', 'amresh', 'amaresh'], ['अभिमन्यु', 'abhimnyu', 'abhimanyu'], ['कमला', 'kamla', 'kamala'],
  ])('%s is read as Hindi says it (%s) and in full (%s)', (native, spoken, full) => {
    expect(toLatin(native)).toBe(spoken);
    expect(toLatin(native, 'full')).toBe(full);
  });

  it.each([['गुरशरण', 'gurashran', 'gursharan'], ['हरभजन', 'harabhjan', 'harbhajan'], ['दीनदयाल', 'dinadyal', 'dindayal'], ['हेमलता', 'hemalta', 'hemlata']])(
    '%s is read from the end (%s) and, as a compound, from the start (%s)',
    (native, spoken, compound) => {
      expect(toLatin(native)).toBe(spoken);
      expect(toLatin(native, 'compound')).toBe(compound);
    },
  );

  it('knows the script', () => {
    expect([detectScript('Ramesh'), detectScript('रमेश'), detectScript('রমেশ'), detectScript('ரமேஷ்'), detectScript('محمد')]).toEqual(['latin', 'devanagari', 'bengali', 'tamil', 'arabic']);
  });
});

describe('normalising a written name', () => {
  it.each([
    ['Lakshmi Kumari', ['lakshmi'], ['kumari'], 'female'],
    ['Km. Pooja', ['pooja'], [], 'female'],
    ['Smt Sunita Devi', ['sunita'], ['devi'], 'female'],
    ['Master Rahul Kumar', ['rahul'], ['kumar'], 'male'],
    ['Md. Salim', ['mohammad', 'salim'], [], null],
    ['Sk Anwar', ['shaikh', 'anwar'], [], null],
    ['Harpreet Kaur', ['harpreet'], ['kaur'], 'female'],
    // A particle written joined to the name comes off as it does when written apart.
    ['Anilkumar', ['anil'], ['kumar'], 'male'],
    ['Ramsingh Yadav', ['ram', 'yadav'], ['singh'], 'male'],
    ['Poojakumari', ['pooja'], ['kumari'], 'female'],
    ['Umadevi', ['uma'], ['devi'], 'female'],
    ['अनिलकुमार', ['anil'], ['kumar'], 'male'],
    ['Rameshbhai Patel', ['ramesh', 'patel'], ['bhai'], 'male'],
    ['Hetalben', ['hetal'], ['ben'], 'female'],
    ['Meerabai', ['meera'], ['bai'], 'female'],
    // Not when what is left is no name of its own: a title, two letters, or a pet name anyone has.
    ['Sridevi', ['sridevi'], [], null],
    ['Sukumar', ['sukumar'], [], null],
    ['Rajkumar', ['rajkumar'], [], null],
    ['Reuben', ['reuben'], [], null],
    // A title or particle that is a given name too is the name when no name part comes before it.
    ['Selvi', ['selvi'], [], 'female'],
    ['P. Selvi', ['selvi'], [], 'female'],
    ['Selvi Gounder', ['selvi', 'gounder'], [], 'female'],
    ['செல்வி', ['selvi'], [], 'female'],
    ['Rani', ['rani'], [], 'female'],
    ['Km. Rani', ['rani'], [], 'female'],
    ['Rani Kumari', ['rani'], ['kumari'], 'female'],
    ['Pooja Rani', ['pooja'], ['rani'], 'female'],
    ['Devi Prasad', ['devi', 'prasad'], [], null],
  ])('%s', (raw, tokens, particles, sex) => {
    const parts = normaliseName(raw);
    expect(parts.tokens).toEqual(tokens);
    expect(parts.particles).toEqual(particles);
    expect(parts.sexHint).toBe(sex);
  });

  it('a girl named Rani or Selvi keeps her name: it meets her report\'s', () => {
    expect(compareNames(prepareName('Rani')!, prepareName('Rani Kumari Yadav')!).level).toBe('exact');
    expect(compareNames(prepareName('செல்வி')!, prepareName('P. Selvi')!).level).toBe('exact');
    expect(compareNames(prepareName('Selvi Gounder')!, prepareName('Jothi Gounder')!).level).not.toMatch(/exact|phonetic/);
  });

  it.each([
    ['S.KRISHNAVENI', ['krishnaveni'], ['s']],
    ['KRISHNAMOORTHY. K', ['krishnamoorthy'], ['k']],
    ['M.சக்திவேல்', ['sakthivel'], ['m']],
    ['R K Sharma', ['sharma'], ['r', 'k']],
    // Initials spelled out in Devanagari as the letter's English name, as Hindi rolls write them.
    ['आर के शर्मा', ['sharma'], ['r', 'k']],
    ['एम रमेश', ['ramesh'], ['m']],
    ['डब्ल्यू अनवर', ['anvar'], ['w']],
    // A register's "Surname, INITIALS", and capitals without a vowel before a name.
    ['Sharma, RK', ['sharma'], ['r', 'k']],
    ['Pillai, AS', ['pillai'], ['a', 's']],
    ['RK Sharma', ['sharma'], ['r', 'k']],
    // Capitals with a vowel and no comma are a surname, and a name all in capitals says nothing.
    ['Raju DAS', ['raju', 'das'], []],
    ['Md ALI', ['mohammad', 'ali'], []],
    ['RAM DAS', ['ram', 'das'], []],
    // जी is the honorific "ji", not the letter G.
    ['रमेश जी', ['ramesh'], []],
  ])('initials in every position: %s', (raw, tokens, initials) => {
    expect(normaliseName(raw)).toMatchObject({ tokens, initials });
  });

  it('splits aliases and relation words, drops death words', () => {
    expect(normaliseName('Raju @ Rajesh').aliases).toEqual(['Rajesh']);
    expect(normaliseName('Guddu urf Gaurav').aliases).toEqual(['Gaurav']);
    expect(normaliseName('Lakshmi d/o Ramesh Mahto')).toMatchObject({ tokens: ['lakshmi'], relative: 'Ramesh Mahto' });
    expect(normaliseName('स्वर्गीय रमेश').tokens).toEqual(['ramesh']);
    expect(normaliseName('रा\u200dमेश').tokens).toEqual(normaliseName('रामेश').tokens);
  });
});

describe('phonetic keys', () => {
  it.each([
    ['Lakshmi', 'Laxmi'], ['Lakshmi', 'Lachhmi'], ['Pooja', 'Puja'], ['Vijay', 'Bijay'], ['Sheela', 'Shila'], ['Rukhsar', 'Rukhsaar'],
    ['Gaurav', 'Gourav'], ['Priyanka', 'Prianka'], ['Ramesh', 'Ramesha'], ['Zeenat', 'Jeenat'], ['Bhavna', 'Bhawna'],
    ['Nazeeya', 'Najiya'], ['Jincy', 'Jinsi'], ['Palani', 'Pazhani'], ['Reddy', 'Reddi'], ['Sangram', 'Samgram'], ['Samhita', 'Sanhita'], ['Harinder', 'Harindar'], ['Surender', 'Surendar'], ['Verma', 'Varma'],
    // ज्ञ as each region writes it.
    ['Gyan', 'Jnan'], ['Pragya', 'Prajna'], ['Dnyaneshwar', 'Gyaneshwar'], ['Jnyandeep', 'Gyandeep'],
  ])('%s and %s meet', (a, b) => {
    expect(phoneticKey(a)).toBe(phoneticKey(b));
  });

  it.each([['Anil', 'Sunil'], ['Kamla', 'Kamal'], ['Rahul', 'Rohit'], ['Sita', 'Gita'], ['Rajinder', 'Rajendra'], ['Sanjana', 'Sanjay']])('%s and %s stay apart', (a, b) => {
    expect(phoneticKey(a)).not.toBe(phoneticKey(b));
  });
});

describe('comparing names', () => {
  const level = (a: string, b: string) => compareNames(prepareName(a)!, prepareName(b)!).level;
  it.each([
    ['Lakshmi Kumari', 'लछमी', 'phonetic'],
    ['Ramesh Mahto', 'रमेश', 'exact'],
    ['S.KRISHNAVENI', 'Krishnaveni', 'exact'],
    ['KRISHNAMOORTHY. K', 'Krishnamurthy', 'phonetic'],
    ['Md. Salim', 'Mohammad Saleem', 'phonetic'],
    ['Raju @ Rajesh', 'Rajesh Kumar', 'exact'],
    ['Kuttan', 'Krishnan', 'nickname'],
    ['Muhammad Irfan', 'Md Irfan', 'exact'],
    ['Sakthivel', 'M.சக்திவேல்', 'exact'],
    ['Anil', 'Sunil', 'different'],
    ['Debashish', 'Debasis', 'phonetic'],
    ['Krishnaveni', 'Krishnavani', 'jw_high'],
    ['Ramesh Sharma', 'आर शर्मा', 'exact'],
    ['Sharma, RK', 'आर के शर्मा', 'exact'],
    ['Mohd. Aslam', 'Aslam Ansari', 'exact'],
    ['Mohd. Aslam', 'Mohammad Salim', 'different'],
    ['Ajay', 'Ahay', 'typo'],
    ['Moumita', 'Moumuta', 'jw_high'],
    ['Bikash Jena', 'Bnkash', 'typo'],
    ['Rajesh', 'Ramesh', 'typo'],
    ['Raju', 'Rahul', 'jw_mid'],
    ['Amaresh', 'अमरेश', 'exact'],
    ['Amresh', 'अमरेश', 'exact'],
    ['Abhimanyu', 'अभिमन्यु', 'exact'],
    ['Abhinav Kumar', 'अभिनव', 'exact'],
    ['Harpreet Kaur', 'ਹਰਪ੍ਰੀਤ', 'phonetic'],
    ['Amrit', 'अमृत', 'exact'],
    ['Amrita', 'अमृता', 'exact'],
    ['Shabnam Khatun', 'شبنم', 'phonetic'],
    ['Rizwan', 'رضوان', 'phonetic'],
    ['Javed Akhtar', 'جاوید اختر', 'phonetic'],
    ['Noorjahan', 'نورجہاں', 'phonetic'],
    ['Zainab', 'زینب', 'phonetic'],
    ['Imran', 'عرفان', 'different'],
    ['Salim', 'سلمان', 'jw_mid'],
    ['Lakshmi', 'லட்சுமி', 'phonetic'],
    ['Krishnaveni', 'கிருஷ்ணவேணி', 'phonetic'],
    ['Ganesan', 'கணேசன்', 'phonetic'],
    ['Karthik', 'கார்த்திக்', 'phonetic'],
    ['Deepa', 'தேவி', 'different'],
    ['Joydeep', 'জয়দীপ', 'phonetic'],
    ['Sumon Mondal', 'সুমন', 'exact'],
    ['Priyanka', 'প্রিয়াঙ্কা', 'exact'],
    ['Mohanty', 'ମହାନ୍ତି', 'phonetic'],
    ['Shyam', 'ശ്യാം', 'exact'],
    ['Hegde', 'ಹೆಗಡೆ', 'exact'],
    ['Kulkarni', 'ಕುಲಕರ್ಣಿ', 'exact'],
    ['Ramesha', 'ರಮೇಶ', 'exact'],
    ['Gursharan Singh', 'गुरशरण', 'exact'],
    ['Harbhajan', 'हरभजन सिंह', 'exact'],
    ['Dharampal', 'धरमपाल', 'exact'],
    ['Deendayal', 'दीनदयाल', 'phonetic'],
    ['Hemlata', 'हेमलता', 'exact'],
    // ृ said ri in Hindi, ru in Marathi, Gujarati, Odia and the south: either spelling meets it.
    ['Tripti', 'तृप्ति', 'exact'],
    ['Trupti', 'तृप्ति', 'exact'],
    ['Amruta', 'अमृता', 'exact'],
    ['Jagruti', 'જાગૃતિ', 'exact'],
    ['Krushna', 'କୃଷ୍ଣ', 'exact'],
    ['Rushikesh', 'ऋषिकेश', 'exact'],
    // Telugu and Kannada: -య్య written -aiah, ఔ written ow, a last ం said m.
    ['Ramaiah', 'రామయ్య', 'phonetic'],
    ['Gowtham', 'గౌతమ్', 'phonetic'],
    ['Gowda', 'ಗೌಡ', 'phonetic'],
    ['Sowmya', 'సౌమ్య', 'phonetic'],
    ['Subrahmanyam', 'సుబ్రహ్మణ్యం', 'exact'],
    // A first ச is s or ch as the name has it.
    ['Selvi', 'செல்வி', 'exact'],
    ['Chitra', 'சித்ரா', 'phonetic'],
    ['Chandran', 'சந்திரன்', 'phonetic'],
    // Malayalam മ്പ is mb.
    ['Ambili', 'അമ്പിളി', 'exact'],
    // Urdu: a first ع carries its vowel, a last ہ is the a it spells.
    ['Ali', 'علی', 'exact'],
    ['Aziz', 'عزیز', 'exact'],
    ['Sabiha', 'صبیحہ', 'exact'],
    ['Atiya', 'عطیہ', 'phonetic'],
    // A last ey and a last ore as the Hindi belt writes them; -eya names still meet theirs.
    ['Dubey', 'दुबे', 'phonetic'],
    ['Pandey', 'पांडे', 'phonetic'],
    ['Kishore', 'किशोर', 'phonetic'],
    ['Rathore', 'राठौर', 'phonetic'],
    ['Aaditeya', 'आदितेय', 'phonetic'],
    // Jai- written जय, and -mayee written -मयी.
    ['Jaideep', 'जयदीप', 'phonetic'],
    ['Jaishree', 'जयश्री', 'phonetic'],
    ['Dayamayee', 'दयामयी', 'phonetic'],
    ['Tanmayee', 'ତନ୍ମୟୀ', 'phonetic'],
    ['Jayant', 'जयंत', 'exact'],
    // ah before a consonant written eh.
    ['Mehtab', 'महताब', 'phonetic'],
    ['Rehman', 'रहमान', 'phonetic'],
    ['Tehzeeb', 'तहजीब', 'phonetic'],
  ])('%s vs %s: %s', (a, b, expected) => {
    expect(level(a, b)).toBe(expected);
  });

  it('a name in Devanagari meets its Latin spelling on a key, schwas said or not', () => {
    for (const [latin, native] of [['Amaresh', 'अमरेश'], ['Abhimanyu', 'अभिमन्यु'], ['Adarsh', 'आदर्श'], ['Amrit', 'अमृत']] as const) {
      const keys = new Set(nameBlockingKeys(prepareName(latin)!));
      expect(nameBlockingKeys(prepareName(native)!).some((key) => keys.has(key)), `${latin} / ${native}`).toBe(true);
    }
  });

  it('ज्ञ meets its spellings: gy in Hindi, dny in Marathi', () => {
    for (const [latin, native] of [['Gyan', 'ज्ञान'], ['Pragya', 'प्रज्ञा'], ['Dnyaneshwar', 'ज्ञानेश्वर'], ['Jnyaneshwar', 'ज्ञानेश्वर'], ['Yagya', 'यज्ञ']] as const) {
      const keys = new Set(nameBlockingKeys(prepareName(latin)!));
      expect(nameBlockingKeys(prepareName(native)!).some((key) => keys.has(key)), `${latin} / ${native}`).toBe(true);
      expect(level(latin, native), `${latin} / ${native}`).toMatch(/^(exact|phonetic)$/);
    }
  });

  it('a name written as one word meets it written as two, on a blocking key and at the top levels', () => {
    for (const [one, two, expected] of [
      ['Jaiprakash', 'Jai Prakash', 'exact'], ['Shivshankar Yadav', 'Shiv Shankar Yadav', 'exact'], ['Jaiprakash', 'Jai Prakash Yadav', 'exact'],
      ['Ramakrishna', 'Rama Krishna', 'exact'], ['Jaigopal', 'जय गोपाल', 'phonetic'], ['Vedmohan', 'वेद मोहन', 'exact'],
    ] as const) {
      expect(level(one, two), `${one} / ${two}`).toBe(expected);
      expect(level(two, one), `${two} / ${one}`).toBe(expected);
      const record = (name: string) => prepareMissing({ ref: 'FIR-1/2024', name, sex: 'male', ageYears: 9, missingSince: '2024-01-01' } as MissingReport);
      const keys = new Set(blockingKeys(record(one)).filter((key) => key.startsWith('n:')));
      expect(blockingKeys(record(two)).some((key) => keys.has(key)), `${one} / ${two}`).toBe(true);
    }
    // Joined, the parts must still be the other name's: Jai Prakash is not Jaishankar.
    expect(level('Jai Prakash', 'Jaishankar')).not.toMatch(/^(exact|phonetic)$/);
    expect(level('Ram Prakash', 'Jaiprakash')).not.toMatch(/^(exact|phonetic)$/);
  });

  it('a name with its particle written as one word meets it written apart, on a blocking key and at the top levels', () => {
    for (const [joined, apart] of [
      ['Anilkumar', 'Anil Kumar'], ['Ramkumar Yadav', 'Ram Kumar Yadav'], ['Sureshkumar', 'Suresh'], ['Harpreetkaur', 'Harpreet Kaur'],
      ['Poojakumari', 'Pooja Kumari'], ['अनिलकुमार', 'Anil Kumar'], ['Vidyadevi', 'विद्या देवी'], ['Maheshbhai Patel', 'Mahesh Patel'],
      ['Hetalben', 'हेतल बेन'],
    ] as const) {
      expect(level(joined, apart), `${joined} / ${apart}`).toMatch(/^(exact|phonetic)$/);
      expect(level(apart, joined), `${apart} / ${joined}`).toMatch(/^(exact|phonetic)$/);
      const record = (name: string) => prepareMissing({ ref: 'FIR-1/2024', name, sex: 'male', ageYears: 9, missingSince: '2024-01-01' } as MissingReport);
      const keys = new Set(blockingKeys(record(joined)).filter((key) => key.startsWith('n:')));
      expect(blockingKeys(record(apart)).some((key) => keys.has(key)), `${joined} / ${apart}`).toBe(true);
    }
    // The particle comes off, the name stays: Anilkumar is not Sunil Kumar.
    expect(level('Anilkumar', 'Sunil Kumar')).not.toMatch(/^(exact|phonetic)$/);
  });

  it('an Urdu name meets its Latin spelling on its consonants, its vowels unwritten', () => {
    for (const [latin, urdu] of [['Shabnam', 'شبنم'], ['Rizwan', 'رضوان'], ['Parveen', 'پروین'], ['Yusuf', 'یوسف'], ['Fatima', 'فاطمہ']] as const) {
      const keys = new Set(nameSkeletonKeys(prepareName(latin)!));
      expect(nameSkeletonKeys(prepareName(urdu)!).some((key) => keys.has(key)), `${latin} / ${urdu}`).toBe(true);
    }
    const imran = new Set(nameSkeletonKeys(prepareName('Imran')!));
    expect(nameSkeletonKeys(prepareName('عرفان')!).some((key) => imran.has(key))).toBe(false);
  });

  it('a death word is taken out as a word, never from inside a name', () => {
    expect(normaliseName('स्वर्गीय रमेश').tokens).toEqual(['ramesh']);
    expect(normaliseName('मृत रमेश').tokens).toEqual(['ramesh']);
    expect(normaliseName('अमृता कुमारी').tokens).toEqual(['amrita']);
  });

  it('a generic pet name is no name at all', () => {
    expect(prepareName('Munna')).toBeNull();
    expect(prepareName('Baby')).toBeNull();
    expect(prepareName('  ')).toBeNull();
  });

  it('no input string throws, and comparisons are symmetric', () => {
    const names = fc.oneof(fc.string(), fc.string({ unit: 'grapheme' }), fc.constantFrom('रमेश', 'লক্ষ্মী', 'محمد', 'ரமேஷ்', 'S.K', '@@', 'urf urf', 'd/o', 'x'.repeat(10_000), '\u202Eabc\u0301'));
    fc.assert(
      fc.property(names, names, (a, b) => {
        const x = prepareName(a);
        const y = prepareName(b);
        if (x && y) expect(compareNames(x, y)).toEqual(compareNames(y, x));
      }),
      { numRuns: 500 },
    );
  });
});

describe('one edit apart', () => {
  it.each([
    ['ajay', 'ahay', true], ['moumita', 'moumiat', true], ['priya', 'priyya', true], ['pooja', 'poja', true],
    ['sunil', 'anil', false], ['rahul', 'raul', true], ['mahesh', 'mukesh', false], ['abc', 'abc', true], ['', 'a', true], ['ab', 'ba', true], ['abcd', 'badc', false],
  ])('%s, %s: %s', (a, b, expected) => {
    expect(withinOneEdit(a, b)).toBe(expected);
    expect(withinOneEdit(b, a)).toBe(expected);
  });
});

describe('how alike two parts could be, before aligning them', () => {
  it('is never less than their Jaro-Winkler similarity, whatever is written', () => {
    const latin = fc.string({ unit: fc.constantFrom(...'aaeiouhknrsty'.split('')), maxLength: 12 });
    const any = fc.oneof(latin, fc.string(), fc.string({ unit: 'grapheme', maxLength: 12 }), fc.constantFrom('', 'a', 'x'.repeat(300), 'रमेश'));
    fc.assert(
      fc.property(any, any, (a, b) => {
        expect(jaroWinklerAtMost(a, b)).toBeGreaterThanOrEqual(jaroWinkler(a, b));
      }),
      { numRuns: 5000 },
    );
  });

  it('rules out names that differ in every part, and not those a level needs', () => {
    // Unrelated names share a letter or two: they could not be 0.8 alike, so they are not aligned.
    expect(partsCouldReach(['rahul'], ['sunil'], 0.8)).toBe(false);
    expect(partsCouldReach(['priya', 'kumari'], ['pooja', 'devi'], 0.8)).toBe(false);
    // Names a level is given for could be, so they are aligned (comparing names, above: jw_mid, jw_high).
    expect(partsCouldReach(['raju'], ['rahul'], 0.8)).toBe(true);
    expect(partsCouldReach(['kumar', 'krishnaveni'], ['krishnavani'], 0.8)).toBe(true);
    expect(jaroWinklerAtMost('rahul', 'rahul')).toBe(1);
  });
});

