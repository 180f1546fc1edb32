// Runs GS1's resolver test suite (GS1DigitalLinkResolverTestSuite.js, unchanged) in a
// headless browser for each link given as ?dl=… in the page's address, one after the
// other, and posts every check's outcome to /harness/result.
//
// The suite fetches three things from the internet; the harness answers two of them from
// the copies beside it and leaves the third to fail:
// - GS1's linkset schema (gs1.github.io) and GS1's list of link types (ref.gs1.org/voc),
//   from gs1/gs1-linkset-schema.json and gs1/linktypes.json;
// - GS1's schema for resolver description files (ref.gs1.org), of which no copy is kept:
//   the suite's check of /.well-known/gs1resolver says it found the file but could not
//   fetch the schema.
// The suite validates with Ajv loaded from a CDN; the harness gives it `window.ajv7`, a
// validator of the same shape that hands the schema and the document to Python's
// jsonschema (Draft 7) through the harness's server.

'use strict';

const localCopies = {
  'https://gs1.github.io/linkset/gs1-linkset-schema.json': '/gs1-linkset-schema.json',
  'https://ref.gs1.org/voc/data/linktypes': '/linktypes.json',
};

let requestsInFlight = 0;
const networkFetch = window.fetch.bind(window);
window.fetch = async (input, init) => {
  if (typeof input === 'string' && localCopies[input] !== undefined) {
    input = localCopies[input];
  }
  requestsInFlight++;
  try {
    return await networkFetch(input, init);
  } finally {
    requestsInFlight--;
  }
};

window.ajv7 = class {
  constructor(options) {
    this.options = options;
  }
  compile(schema) {
    const validate = (data) => {
      const request = new XMLHttpRequest();
      request.open('POST', '/harness/validate', false);  // the suite calls it synchronously
      request.setRequestHeader('Content-Type', 'application/json');
      request.send(JSON.stringify({ schema: schema, data: data === undefined ? null : data }));
      const answer = JSON.parse(request.responseText);
      validate.errors = answer.errors.map((e) => ({ instancePath: e.path, message: e.message }));
      return answer.valid;
    };
    validate.errors = null;
    return validate;
  }
};

// Resolves once no request of the page's has been pending for half a second: the suite
// does not wait for two of its checks (TLS and the description file).
const settled = () => new Promise((resolve) => {
  let quiet = 0;
  const timer = setInterval(() => {
    quiet = requestsInFlight === 0 ? quiet + 1 : 0;
    if (quiet >= 5) {
      clearInterval(timer);
      resolve();
    }
  }, 100);
});

async function runSuiteForEachLink() {
  const runs = [];
  for (const dl of new URLSearchParams(location.search).getAll('dl')) {
    resultsArray = [];
    linksetGetMethods = {};
    let error = null;
    try {
      await testDL(dl);
    } catch (e) {
      error = String(e);
    }
    await settled();
    runs.push({
      dl: dl,
      error: error,
      results: resultsArray.map((r) => ({ id: r.id, test: r.test, status: r.status, msg: r.msg })),
    });
  }
  await networkFetch('/harness/result', { method: 'POST', body: JSON.stringify(runs) });
}
