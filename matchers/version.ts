// The version of the matchers' own rules: how records are prepared, keyed and admitted, beside the
// model's parameters (fixtures/model, versioned on their own). Raise it with any change that alters
// what a match stores for a record without a new model: its key rows, its rank floor, its pairs'
// levels. The service saves it with every record it matches (migrations/018); a plain `milap rematch`
// matches again every record matched under another, and a match worker says at start how many there are.
//   1  2026-12-01: a found child named only by a pet name, or not at all, admits her best 100 ranked
//      reports (blocking.ts, rankedBestOf); spots, white patches and stitch marks are read (marks.ts);
//      presumed homes, telltale languages and family names are keys (ab5d1c0)
export const matcherVersion = 1;
