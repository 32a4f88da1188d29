// The share link's page. The token is in the URL's fragment (never sent to a server);
// it and the code go to the API in headers, so that no log holds them.
(function () {
  "use strict";
  var body = document.body;
  var token = decodeURIComponent(window.location.hash.slice(1));
  var code = "";
  var status = document.getElementById("status");
  var form = document.getElementById("code-form");
  var codeInput = document.getElementById("code");
  var section = document.getElementById("document");

  function say(key) {
    status.textContent = body.dataset[key];
    status.hidden = false;
  }

  function headers() {
    var sent = { "X-Share-Token": token };
    if (code) {
      sent["X-Share-Code"] = code;
    }
    return sent;
  }

  function ask(url) {
    return fetch(url, { headers: headers(), credentials: "omit", cache: "no-store" });
  }

  function refused(response) {
    if (response.status === 403) {
      say(code ? "codeWrong" : "codeNeeded");
      form.hidden = false;
      codeInput.value = "";
      codeInput.focus();
      return;
    }
    form.hidden = true;
    section.hidden = response.status !== 500;
    say(response.status === 404 ? "notFound" : response.status === 410 ? "gone" : "failed");
  }

  // Images are shown in the page (a blob: URL, nothing runs); other files, PDFs above
  // all (their viewer runs scripts), are downloaded.
  var PREVIEWED = ["image/jpeg", "image/png", "image/webp"];

  function show(details) {
    form.hidden = true;
    status.hidden = true;
    section.hidden = false;
    document.getElementById("view").hidden = PREVIEWED.indexOf(details.content_type) < 0;
    document.getElementById("preview-image").alt = details.title;
    document.getElementById("title").textContent = details.title;
    document.getElementById("kind").textContent = details.document_type_label;
    document.getElementById("expires").textContent = details.expires_at
      ? body.dataset.expires + " " + new Date(details.expires_at).toLocaleString(
        // The page's language, not the browser's: a French page writes French dates.
        document.documentElement.lang || undefined,
        { dateStyle: "long", timeStyle: "short" }
      )
      : "";
  }

  function open() {
    if (!token) {
      say("notFound");
      return;
    }
    say("opening");
    ask(body.dataset.details).then(function (response) {
      return response.ok ? response.json().then(show) : refused(response);
    }, function () { say("failed"); });
  }

  function fileName(response) {
    var header = response.headers.get("Content-Disposition") || "";
    var encoded = /filename\*=utf-8''([^;]+)/i.exec(header);
    if (encoded) {
      return decodeURIComponent(encoded[1]);
    }
    var plain = /filename="([^"]+)"/i.exec(header);
    return plain ? plain[1] : "document";
  }

  function view() {
    ask(body.dataset.content).then(function (response) {
      if (!response.ok) {
        return refused(response);
      }
      return response.blob().then(function (blob) {
        var image = document.getElementById("preview-image");
        if (image.src) {
          URL.revokeObjectURL(image.src);
        }
        image.src = URL.createObjectURL(blob);
        document.getElementById("preview").hidden = false;
      });
    }, function () { say("failed"); });
  }

  function download() {
    ask(body.dataset.content).then(function (response) {
      if (!response.ok) {
        return refused(response);
      }
      return response.blob().then(function (blob) {
        var link = document.createElement("a");
        link.href = URL.createObjectURL(blob);
        link.download = fileName(response);
        document.body.appendChild(link);
        link.click();
        link.remove();
        setTimeout(function () { URL.revokeObjectURL(link.href); }, 60000);
      });
    }, function () { say("failed"); });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    code = codeInput.value.trim();
    open();
  });
  document.getElementById("download").addEventListener("click", download);
  document.getElementById("view").addEventListener("click", view);
  window.addEventListener("hashchange", function () {
    token = decodeURIComponent(window.location.hash.slice(1));
    code = "";
    open();
  });
  open();
})();
