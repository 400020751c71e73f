"""klimaalliance.pdf: what a worker process does as it starts."""

import gc

from klimaalliance import pdf


def test_a_worker_process_warms_up_and_then_freezes_what_it_holds():
    try:
        pdf.warm_up()
        assert gc.get_freeze_count() > 0  # full collections no longer walk these objects
        assert pdf.html_to_pdf("<html lang='da'><title>T</title><p>x</p></html>").startswith(
            b"%PDF"
        )
    finally:
        gc.unfreeze()
