"""Streamlit helpers shared by the pages: session state, the sidebar, "Why?" popovers.

No clinical rule lives here: these only render what ``logic`` returns.
"""
