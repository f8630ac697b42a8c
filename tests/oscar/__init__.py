"""A throwaway Django Oscar shop used as a real third-party storefront in tests."""
