// Sends one scan to the check-in API and says what the answer means for the queue: resolves
// to the server's answer (the scan is done with), or rejects when it must stay queued: no
// network, a timeout, a server error or too many requests, a sign-in that lapsed.
// No DOM: fetch and what to tell the screen are given (tests: static/js/tests/sender.test.js).

function timeout(promise, ms) {
  return new Promise(function (resolve, reject) {
    const timer = setTimeout(function () { reject(new Error("timeout")); }, ms);
    promise.then(function (value) { clearTimeout(timer); resolve(value); },
                 function (error) { clearTimeout(timer); reject(error); });
  });
}

// options: fetch(url, init) (apiFetch, with the CSRF token), url, timeoutMs,
// signedOut(boolean) and offline(boolean) to show the state on the screen.
export function createSender(options) {
  return function send(scan) {
    const request = options.fetch(options.url, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(scan)
    });
    return timeout(request, options.timeoutMs).then(function (response) {
      if (response.status === 400 || response.status === 401 || response.status === 403) {
        options.signedOut(true);
        throw new Error("signed out");
      }
      if (response.status >= 500 || response.status === 429) { throw new Error("retry"); }
      return response.json().then(function (answer) {
        options.signedOut(false);
        options.offline(false);
        if (!answer.result) { answer.result = "invalid"; }
        return answer;
      });
    }, function (error) {
      options.offline(true);
      throw error;
    });
  };
}
