// The Postman collection's test script (Portman injects it: portman/postman-config.json). Runs after
// every request.
(function () {
  let body;
  try {
    body = pm.response.json();
  } catch (e) {
    body = undefined;
  }
  pm.test("the answer is JSON", function () {
    pm.expect(body, "a JSON body").to.not.equal(undefined);
  });
  if (pm.response.code >= 400) {
    pm.test("an error answers {\"message\": ...}", function () {
      pm.expect(body).to.be.an("object");
      pm.expect(body.message).to.be.a("string");
    });
  }
  // What later requests send, kept from a successful answer.
  if (pm.response.code < 300 && body && typeof body === "object") {
    const store = pm.environment.name ? pm.environment : pm.collectionVariables;
    const captured = { id_token: "idToken", refresh_token: "refreshToken", session: "session" };
    Object.keys(captured).forEach(function (field) {
      if (typeof body[field] === "string") {
        store.set(captured[field], body[field]);
      }
    });
  }
})();
