# On PYTHONPATH only while pip builds a package (tests/ecosystem/lib,
# eco_pip). Debian's setuptools wheel (python3-setuptools-whl), the only
# setuptools reachable here, is patched for Debian's own distutils: its
# install_egg_info reads install.install_layout and .prefix_option, which
# the distutils bundled in that same wheel (used by Python >= 3.12) lacks,
# so any package's install step fails with "AttributeError:
# install_layout". Give setuptools' install command both options, unset,
# as tests/fixtures/python-ext/setup.py does for our own fixture; setuptools
# from PyPI needs nothing.
try:
    from setuptools.command.install import install as _install
except ImportError:
    _install = None

if _install is not None and not hasattr(_install, "_memlean_shim"):
    _initialize = _install.initialize_options

    def _initialize_options(self):
        _initialize(self)
        self.install_layout = None
        self.prefix_option = None

    _install.initialize_options = _initialize_options
    _install._memlean_shim = True
