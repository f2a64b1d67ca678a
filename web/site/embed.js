/*
 * Adds the career-advice chat widget to any page.
 *
 *   <script>
 *     window.careerBotConfig = { socketUrl: "https://bot.example.org" };
 *   </script>
 *   <script src="https://chat.example.org/embed.js" async></script>
 *
 * Loads rasa-webchat from the same place as this file (vendor/rasa-webchat.js,
 * served by `python -m bot run` from the npm package, never from a CDN) and
 * starts it with the settings below; any rasa-webchat prop in
 * window.careerBotConfig overrides them. Set `selector` to mount the widget
 * into an element of the page instead of the corner launcher.
 */
(function () {
  "use strict";

  var script = document.currentScript;
  var config = window.careerBotConfig || {};
  if (!config.socketUrl) {
    console.error("career bot: set window.careerBotConfig.socketUrl before loading embed.js");
    return;
  }
  var base = new URL(".", script ? script.src : window.location.href).href;

  var defaults = {
    socketPath: "/socket.io/",
    title: "Billing & Coding Careers",
    subtitle: "Answers with their sources",
    inputTextFieldHint: "Ask about training, certification, pay...",
    connectingText: "Connecting...",
    initPayload: "/greet",
    customData: { language: "en" },
    showMessageDate: false,
    hideWhenNotConnected: false,
    withRules: false,
    params: { storage: "local" }
  };

  // Answers end with their source on a line of its own; markdown would join
  // that line to the paragraph, so keep the line breaks the bot sends.
  var style = document.createElement("style");
  style.textContent = ".rw-conversation-container .rw-message-text { white-space: pre-line; }";
  (document.head || document.documentElement).appendChild(style);

  function start() {
    var props = Object.assign({}, defaults, config);
    // Keep the conversation in localStorage (reloads and new tabs continue it)
    // unless the page asks otherwise.
    props.params = Object.assign({}, defaults.params, config.params || {});
    delete props.selector;
    var element = config.selector ? document.querySelector(config.selector) : null;
    window.WebChat.default(props, element);
  }

  if (window.WebChat && window.WebChat.default) {
    start();
    return;
  }
  var loader = document.createElement("script");
  loader.src = base + "vendor/rasa-webchat.js";
  loader.async = true;
  loader.onload = start;
  loader.onerror = function () {
    console.error("career bot: could not load " + loader.src);
  };
  (document.head || document.documentElement).appendChild(loader);
})();
