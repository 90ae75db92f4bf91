/* Mounts the rasa-webchat widget (webchat.js, served by our Rasa server) on the page
 * and fills in what it lacks for keyboard and screen reader users. */
(function () {
  "use strict";

  var root = document.getElementById("webchat");
  var status = document.getElementById("chat-status");

  function setStatus(text) {
    if (status.textContent !== text) status.textContent = text;
  }

  if (!window.WebChat || typeof window.WebChat.default !== "function") {
    setStatus("The chat could not be loaded. Please reload the page.");
    return;
  }

  /* rasa-webchat 1.0.1 renders a textarea with only a placeholder, an icon-only
   * send button, and quick-reply "buttons" that are plain divs (no role, not
   * focusable). Fix each as it appears; React leaves attributes it does not
   * manage alone. */
  function onReplyKey(event) {
    if (event.key === "Enter" || event.key === " " || event.key === "Spacebar") {
      event.preventDefault();
      event.currentTarget.click();
    }
  }

  /* Alt texts of the pictures the bot sends (channels/images.py, by URL path): the
   * widget's image message has no alt text of its own. */
  var pictureTexts = {};
  var request = new XMLHttpRequest();
  request.open("GET", "pictures.json");
  request.onload = function () {
    try { pictureTexts = JSON.parse(request.responseText) || {}; } catch (e) { pictureTexts = {}; }
    improve();
  };
  request.send();

  function describePictures() {
    var pictures = root.querySelectorAll("img.rw-image-frame");
    for (var i = 0; i < pictures.length; i++) {
      var img = pictures[i];
      var known = pictureTexts[new URL(img.src, window.location.href).pathname];
      if (known && img.getAttribute("alt") !== known.alt) {
        img.setAttribute("alt", known.alt);
        img.closest(".image").classList.add("bot-picture");
      }
    }
  }

  /* Part 5: the summary to show a professional gets "Copy" and "Print" buttons. */
  var SUMMARY_START = "Summary of your answers, to show a doctor or nurse:";

  function copyWithSelection(text) {
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.top = "-1000px";
    document.body.appendChild(area);
    area.select();
    var copied = false;
    try { copied = document.execCommand("copy"); } catch (e) { copied = false; }
    document.body.removeChild(area);
    return copied;
  }

  function copySummary(text) {
    function done() { setStatus("The summary is copied. You can paste it into a message or a note."); }
    function fallback() {
      if (copyWithSelection(text)) done();
      else setStatus("Copying did not work here. Please select the summary and copy it yourself.");
    }
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done, fallback);
    } else {
      fallback();
    }
  }

  function printSummary(text) {
    var sheet = document.getElementById("print-summary");
    if (!sheet) {
      sheet = document.createElement("section");
      sheet.id = "print-summary";
      document.body.appendChild(sheet);
    }
    sheet.textContent = "";
    var heading = document.createElement("h1");
    heading.textContent = "Back dimples assistant: summary";
    var body = document.createElement("p");
    body.className = "print-summary-text";
    body.textContent = text;
    var note = document.createElement("p");
    note.textContent = "Information, not a diagnosis. Printed " + new Date().toLocaleDateString() + ".";
    sheet.appendChild(heading);
    sheet.appendChild(body);
    sheet.appendChild(note);
    document.body.classList.add("printing-summary");
    window.print();
  }
  window.addEventListener("afterprint", function () {
    document.body.classList.remove("printing-summary");
  });

  function summaryButton(label, name, action) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "summary-action";
    button.textContent = label;
    button.setAttribute("aria-label", name);
    button.addEventListener("click", action);
    return button;
  }

  function addSummaryTools() {
    var responses = root.querySelectorAll(".rw-response");
    for (var i = 0; i < responses.length; i++) {
      var message = responses[i];
      var text = (message.innerText || message.textContent || "").trim();
      if (text.indexOf(SUMMARY_START) !== 0 || message.dataset.summaryTools) continue;
      message.dataset.summaryTools = "1";
      var tools = document.createElement("div");
      tools.className = "summary-tools";
      tools.setAttribute("role", "group");
      tools.setAttribute("aria-label", "Summary");
      (function (summary) {
        tools.appendChild(summaryButton("Copy", "Copy the summary", function () { copySummary(summary); }));
        tools.appendChild(summaryButton("Print", "Print the summary", function () { printSummary(summary); }));
      })(text);
      message.appendChild(tools);
    }
  }

  function improve() {
    var input = root.querySelector("textarea.rw-new-message, input.rw-new-message");
    if (input && !input.hasAttribute("aria-label") && !input.labels.length) {
      input.setAttribute("aria-label", "Your message to the assistant");
    }
    var send = root.querySelector("button.rw-send");
    if (send && !send.hasAttribute("aria-label")) send.setAttribute("aria-label", "Send");

    var log = root.querySelector(".rw-messages-container");
    if (log && !log.hasAttribute("role")) {
      log.setAttribute("role", "log");
      log.setAttribute("aria-label", "Conversation");
      log.setAttribute("aria-live", "polite");
      log.setAttribute("tabindex", "0");
    }

    var replies = root.querySelectorAll(".rw-reply:not(a)");
    for (var i = 0; i < replies.length; i++) {
      var reply = replies[i];
      if (!reply.hasAttribute("role")) reply.setAttribute("role", "button");
      if (!reply.hasAttribute("tabindex")) reply.setAttribute("tabindex", "0");
      if (!reply.dataset.keys) {
        reply.dataset.keys = "1";
        reply.addEventListener("keydown", onReplyKey);
      }
    }

    describePictures();
    var images = root.querySelectorAll("img:not([alt])");
    for (var j = 0; j < images.length; j++) images[j].setAttribute("alt", "");
    addSummaryTools();
  }

  new MutationObserver(improve).observe(root, { childList: true, subtree: true });

  window.WebChat.default(
    {
      socketUrl: window.location.origin,
      socketPath: "/socket.io/",
      initPayload: "/greet",
      embedded: true,
      title: "Back dimples assistant",
      subtitle: "Information, not a diagnosis",
      inputTextFieldHint: "Type a question or an answer",
      hideWhenNotConnected: false,
      showMessageDate: false,
      params: { storage: "local" },
      // A short pause between the bot's messages (the default waits up to 2 s).
      customMessageDelay: function (message) {
        return Math.min(800, Math.max(150, (message || "").length * 5));
      },
      onSocketEvent: {
        connect: function () { setStatus(""); },
        disconnect: function () { setStatus("Connection lost. Trying to reconnect..."); },
        connect_error: function () { setStatus("Cannot reach the assistant. Trying again..."); }
      }
    },
    root
  );
})();
