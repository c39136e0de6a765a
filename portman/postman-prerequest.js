// The Postman collection's pre-request script (Portman injects it: portman/postman-config.json).
// Runs before every request. A request that sends the ID token ({{idToken}}, the API key auth the
// converter gives the operations docs/openapi.yaml guards with CognitoIdToken) gets one first: when
// none is stored or the stored one expires within a minute, it signs in through POST {{apiUrl}}/login
// with {{username}} and {{password}} and stores the tokens it answers.
(function () {
  const tokenVar = "idToken";
  const login = { method: "POST", path: "/login", usernameField: "username", passwordField: "password", tokenField: "id_token" };
  const captured = { id_token: "idToken", refresh_token: "refreshToken", session: "session" };
  const store = pm.environment.name ? pm.environment : pm.collectionVariables;
  const wants = "{{" + tokenVar + "}}";
  const auth = pm.request.auth ? pm.request.auth.toJSON() : {};
  const sendsToken = (auth.apikey || []).some(function (p) {
    return p.key === "value" && String(p.value).indexOf(wants) >= 0;
  }) || pm.request.headers.all().some(function (h) {
    return !h.disabled && String(h.value).indexOf(wants) >= 0;
  });
  if (!sendsToken) {
    return;
  }
  // exp of a JWT, in milliseconds; 0 for anything that is not one.
  function expiresAt(jwt) {
    try {
      let part = String(jwt).split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
      part += "===".slice((part.length + 3) % 4);
      return JSON.parse(require("atob")(part)).exp * 1000;
    } catch (e) {
      return 0;
    }
  }
  if (expiresAt(pm.variables.get(tokenVar)) > Date.now() + 60 * 1000) {
    return;
  }
  const username = pm.variables.get("username");
  const password = pm.variables.get("password");
  if (!username || !password) {
    console.warn("No valid " + tokenVar + ": set username and password in the environment (make user prints a pair for make local).");
    return;
  }
  const credentials = {};
  credentials[login.usernameField] = username;
  credentials[login.passwordField] = password;
  pm.sendRequest({
    url: pm.variables.replaceIn("{{apiUrl}}" + login.path),
    method: login.method,
    header: { "Content-Type": "application/json" },
    body: { mode: "raw", raw: JSON.stringify(credentials) }
  }, function (err, res) {
    if (err) {
      console.error("Sign-in failed: " + err.message);
      return;
    }
    let body = {};
    try {
      body = res.json();
    } catch (e) {}
    if (res.code === 200 && typeof body[login.tokenField] === "string") {
      Object.keys(captured).forEach(function (field) {
        if (typeof body[field] === "string") {
          store.set(captured[field], body[field]);
        }
      });
      return;
    }
    // Never the password or a token: the status and Cognito's message or challenge name only.
    console.error("Sign-in through " + login.path + " answered " + res.code + ": " + (body.message || body.challenge_name || ""));
  });
})();
