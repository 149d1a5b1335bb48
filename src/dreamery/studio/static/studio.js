/*
 * The studio pages' start-up, run from this file rather than inline: the pages' policy lets
 * only scripts known before any request run. Each page hands over its data as a JSON block
 * (#studio-list-page, #studio-detail-page); this does what the core pages' inline scripts
 * do with it.
 */
(function () {
  "use strict";

  function pageData(id) {
    var block = document.getElementById(id);
    return block ? JSON.parse(block.textContent) : null;
  }

  var list = pageData("studio-list-page");
  if (list) {
    initListPage(list.list);
    if (list.filterBuilder) initFilterBuilder(list.filterBuilder);
    if (list.importUrl) initImportModal(list.importUrl);
  }

  var detail = pageData("studio-detail-page");
  if (detail) {
    var actionManager = new ActionManager(
      "",
      detail.rowActionUrl,
      function (query) {
        query.append("pk", detail.pk);
      },
      function (actionName, element, msg) {
        successAlert(msg);
        window.location.reload();
      },
      function (actionName, element, error) {
        dangerAlert(error);
      }
    );
    actionManager.initNoConfirmationActions();
    actionManager.initActionModal();
    if (detail.detailSearch) {
      $(function () {
        $("#searchInput").on("keyup", function () {
          var value = $(this).val().toLowerCase();
          $("#tableContent tr").filter(function () {
            $(this).toggle($(this).text().toLowerCase().indexOf(value) > -1);
          });
        });
      });
    }
  }
})();
