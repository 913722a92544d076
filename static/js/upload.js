/* 文萃 admin: upload progress. Without JavaScript the form is sent as usual; with it, the
   form is sent by XMLHttpRequest so that a progress bar can show how much has gone, and
   the answer (the preview, or the form with its errors) replaces the page. */
(function () {
  "use strict";

  var form = document.querySelector("form[data-upload-progress]");
  if (!form || !window.FormData || !window.XMLHttpRequest) {
    return;
  }
  var bar = form.querySelector(".upload-progress");
  var status = form.querySelector(".upload-status");
  var button = form.querySelector("[type=submit]");

  function say(name) {
    status.textContent = form.getAttribute("data-" + name) || "";
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var request = new XMLHttpRequest();
    request.open("POST", form.action);
    request.upload.addEventListener("progress", function (progress) {
      if (progress.lengthComputable) {
        bar.max = progress.total;
        bar.value = progress.loaded;
      }
    });
    request.upload.addEventListener("load", function () {
      // Sent: the server now reads the files; an indeterminate bar says it is busy.
      bar.removeAttribute("value");
      say("processing");
    });
    request.addEventListener("load", function () {
      if (request.responseURL && request.responseURL !== form.action) {
        window.location.href = request.responseURL; // redirected, e.g. to the login page
        return;
      }
      document.open();
      document.write(request.responseText);
      document.close();
    });
    request.addEventListener("error", function () {
      bar.hidden = true;
      button.disabled = false;
      say("failed");
    });
    bar.value = 0;
    bar.hidden = false;
    button.disabled = true;
    say("uploading");
    request.send(new FormData(form));
  });
})();
