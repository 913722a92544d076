/* 文萃: the "copy citation" button. Without JavaScript the button stays hidden and the
   citation is plain selectable text; with it, one click copies the text. */
(function () {
  "use strict";

  function selectText(element) {
    var range = document.createRange();
    range.selectNodeContents(element);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  }

  function copyBySelection(element) {
    selectText(element);
    try {
      return document.execCommand("copy");
    } catch (error) {
      return false;
    }
  }

  function setup(button) {
    var source = document.getElementById(button.getAttribute("data-copy"));
    if (!source) {
      return;
    }
    var status = button.parentNode.querySelector(".copy-status");
    function report(ok) {
      if (status) {
        status.textContent = button.getAttribute(ok ? "data-copied" : "data-failed");
      }
      if (!ok) {
        selectText(source);
      }
    }
    button.addEventListener("click", function () {
      var text = source.textContent.trim();
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(text).then(
          function () { report(true); },
          function () { report(copyBySelection(source)); }
        );
      } else {
        report(copyBySelection(source));
      }
    });
    button.hidden = false;
  }

  document.querySelectorAll("button[data-copy]").forEach(setup);
})();
