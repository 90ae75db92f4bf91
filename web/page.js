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

    var images = root.querySelectorAll("img:not([alt])");
    for (var j = 0; j < images.length; j++) images[j].setAttribute("alt", "");
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
