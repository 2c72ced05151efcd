"""A headless Chromium for admin checks, driven by Selenium through the OS's chromedriver.

The browser comes from the operating system (Debian packages ``chromium`` and
``chromium-driver``); nothing is downloaded at run time. ``.ci/run`` installs them.
"""

import os
import shutil

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")


def chromium_driver(download_dir=None):
    """A headless Chromium; files it downloads land in ``download_dir`` when given."""
    if not (CHROMIUM and CHROMEDRIVER):
        reason = "needs chromium and chromedriver (apt-get install chromium chromium-driver)"
        if os.environ.get("CSM_REQUIRE_BROWSER"):
            pytest.fail(reason)  # CI installs them: a missing browser there is a failure, not a skip
        pytest.skip(reason)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1400,1000",
    ):
        options.add_argument(flag)
    if download_dir is not None:
        options.add_experimental_option(
            "prefs",
            {
                "download.default_directory": str(download_dir),
                "download.prompt_for_download": False,
                "safebrowsing.enabled": False,
            },
        )
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    # Element look-ups poll until the element appears; generous for a busy CI machine.
    driver.implicitly_wait(60)
    return driver
