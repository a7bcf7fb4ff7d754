// natural ships no types for its submodules; the one this bench uses.
declare module 'natural/lib/natural/phonetics/double_metaphone.js' {
  const DoubleMetaphone: new () => { process(word: string): [string, string] };
  export default DoubleMetaphone;
}
